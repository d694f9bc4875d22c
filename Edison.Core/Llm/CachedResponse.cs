namespace Edison.Core.Llm;

/// What the response cache keeps of a successful call: enough to answer again, nothing about who paid.
internal sealed record CachedResponse(string Text, string? FinishReason);

namespace Edison.Core.Assist;

/// <summary>The model's three drafts.</summary>
public sealed record AssistOptionsAnswer(IReadOnlyList<string> Options);

namespace Edison.Core.Llm;

internal sealed record LlmCallRecord(Guid Id, LlmCallSpec Spec, string Provider, string Status, int Attempts, int InputTokens,
    int OutputTokens, int CachedInputTokens, int ReasoningTokens, decimal CostUsd, int LatencyMs, string? FinishReason,
    string? ResponseText, string? ErrorClass, string? Error, DateTimeOffset StartedAt, DateTimeOffset FinishedAt)
{
    public bool CacheHit { get; init; }

    public bool PriceKnown { get; init; } = true;

    public int? FirstTokenMs { get; init; }
}

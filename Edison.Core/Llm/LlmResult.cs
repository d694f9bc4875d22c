namespace Edison.Core.Llm;

/// <summary>The outcome of one logical call: a failure is a value, stored and shown, not an exception.</summary>
public sealed record LlmResult(Guid CallId, bool Succeeded, string Text, string? FinishReason, int InputTokens, int OutputTokens,
    decimal CostUsd, int LatencyMs, int Attempts, LlmErrorClass? ErrorClass, string? Error)
{
    /// <summary>True when the result was read back from an earlier recorded call.</summary>
    public bool Reused { get; init; }

    /// <summary>True when the response came from the response cache (no provider call, cost 0).</summary>
    public bool CacheHit { get; init; }

    /// <summary>False when the model has no price in model_prices, so <see cref="CostUsd"/> is 0 without being free.</summary>
    public bool PriceKnown { get; init; } = true;

    /// <summary>Milliseconds from the call's start to its first streamed text; null when the call was not streamed.</summary>
    public int? FirstTokenMs { get; init; }
}

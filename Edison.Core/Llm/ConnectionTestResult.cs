namespace Edison.Core.Llm;

/// <summary>The outcome of "test connection": one tiny real call, with the failure in words a person can act on.</summary>
public sealed record ConnectionTestResult(bool Ok, int LatencyMs, string Model, string? Answer, string? Error);

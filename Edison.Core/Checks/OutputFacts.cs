namespace Edison.Core.Checks;

/// <summary>What the checks look at: one model output, how long it took and what it cost.</summary>
public sealed record OutputFacts(string Text, int LatencyMs, decimal CostUsd);

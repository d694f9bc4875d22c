namespace Edison.Core.Runs.Aggregation;

/// <summary>One output of an iteration with what statistics need: where it belongs and what it cost.</summary>
public sealed record ScoredOutput(Guid OutputId, Guid CaseId, string Model, int Sample, string Status, string Split, IReadOnlyList<string> Tags,
    string? Difficulty, bool Truncated, int LatencyMs, decimal CostUsd, int OutputTokens, IReadOnlyList<string> PiiFlags);

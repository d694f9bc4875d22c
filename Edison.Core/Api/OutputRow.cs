namespace Edison.Core.Api;

/// <summary>One output of an iteration with its mean judged score.</summary>
public sealed record OutputRow(Guid Id, Guid CaseId, string Model, int Sample, string Status, string Text, string? Error, double? Score,
    decimal CostUsd, int LatencyMs);

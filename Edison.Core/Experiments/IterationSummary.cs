namespace Edison.Core.Experiments;

/// <summary>One iteration in an experiment's history.</summary>
public sealed record IterationSummary(Guid Id, int Number, string Status, double? MeanScore, decimal CostUsd, DateTime CreatedAt,
    DateTime? FinishedAt);

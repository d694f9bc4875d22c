namespace Edison.Core.Experiments;

/// <summary>One row of the experiments list (times in UTC).</summary>
public sealed record ExperimentSummary(Guid Id, string Name, string Goal, DateTime CreatedAt, int CaseCount,
    int? LastIterationNumber, string? LastIterationStatus, Guid? LastIterationId);

namespace Edison.Core.Regression;

/// <summary>One scheduled run: what it ran and how it ended (<c>running</c>, <c>passed</c>, <c>regressed</c>,
/// <c>no_baseline</c>, <c>not_started</c>); <see cref="IterationStatus"/> tells a failed or cancelled run apart.</summary>
public sealed record RegressionRunRow(Guid Id, Guid? IterationId, int? IterationNumber, string? IterationStatus, int? PromptVersion,
    string Outcome, string? Detail, DateTime StartedAt, DateTime? FinishedAt);

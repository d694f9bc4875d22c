namespace Edison.Core.ReadModels;

/// <summary>Why an iteration's judging failed: each judge's valid and failed verdicts, and the first failed verdicts with their raw answers.</summary>
public sealed record JudgingFailures(IReadOnlyList<JudgeVerdictSummary> Judges, IReadOnlyList<FailedVerdict> FirstFailures);

/// <summary>One judge's verdicts in the iteration.</summary>
public sealed record JudgeVerdictSummary(string Model, int Valid, int Failed);

/// <summary>A failed verdict: its judge, its error and what the judge actually answered (null when it answered nothing).</summary>
public sealed record FailedVerdict(Guid OutputId, string Model, string Error, string? RawAnswer);

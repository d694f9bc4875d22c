namespace Edison.Core.Judging;

/// <summary>One criterion's integer score and why.</summary>
public sealed record CriterionScore(string Criterion, int Score, string Rationale);

namespace Edison.Core.Judging;

/// <summary>A judge's structured answer: reasoning first (it improves the scores that follow), then a score per criterion.</summary>
public sealed record PointwiseVerdict(string Reasoning, IReadOnlyList<CriterionScore> Scores, IReadOnlyList<string> Suggestions,
    IReadOnlyList<string> SafetyFlags);

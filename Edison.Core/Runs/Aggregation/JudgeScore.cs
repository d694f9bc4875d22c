namespace Edison.Core.Runs.Aggregation;

/// <summary>One judge's pointwise (or one person's) verdict on one output; failed verdicts have no scores.</summary>
public sealed record JudgeScore(Guid OutputId, string Judge, bool IsHuman, bool Succeeded, IReadOnlyDictionary<string, int> Scores,
    IReadOnlyList<string> SafetyFlags);

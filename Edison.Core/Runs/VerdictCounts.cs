namespace Edison.Core.Runs;

/// <summary>One LLM judge's valid and failed pointwise verdicts in an iteration.</summary>
public sealed record JudgeVerdictCount(Guid JudgeConfigId, string Model, int Valid, int Failed);

/// <summary>An iteration's verdicts per judge, the cases they scored, the dataset's cases and the experiment's α.</summary>
public sealed record VerdictCounts(IReadOnlyList<JudgeVerdictCount> Judges, int ScoredCases, int TotalCases, double Alpha)
{
    /// <summary>Valid verdicts over every judge.</summary>
    public int Valid => Judges.Sum(j => j.Valid);

    /// <summary>Every verdict, valid or failed.</summary>
    public int Total => Judges.Sum(j => j.Valid + j.Failed);

    /// <summary>Why judging failed, or null when the verdicts can be scored on (always null without an LLM pointwise judge).</summary>
    public string? FailureReason => Judges.Count == 0 ? null : JudgingHealth.FailureReason(Valid, Total, Math.Min(ScoredCases, TotalCases), TotalCases, Alpha);
}

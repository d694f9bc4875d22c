namespace Edison.Core.ClosedLoop;

/// <summary>
/// A version against its parent on the same cases (the validation split): mean difference of case composites with a paired
/// bootstrap CI, a sign-flip permutation p-value, the minimum detectable effect, and whether the safety-flag rate rose.
/// </summary>
public sealed record VersionComparison
{
    /// <summary>The parent's iteration.</summary>
    public Guid ParentIterationId { get; init; }

    /// <summary>The parent's version number.</summary>
    public int ParentVersion { get; init; }

    /// <summary>The split compared ("validation", or "all" when the dataset has no validation cases).</summary>
    public string Split { get; init; } = "validation";

    /// <summary>Cases scored in both.</summary>
    public int N { get; init; }

    /// <summary>Candidate minus parent, on the rubric's scale.</summary>
    public double MeanDifference { get; init; }

    /// <summary>Lower bound of the paired bootstrap CI.</summary>
    public double CiLow { get; init; }

    /// <summary>Upper bound of the paired bootstrap CI.</summary>
    public double CiHigh { get; init; }

    /// <summary>Two-sided sign-flip permutation p-value.</summary>
    public double PValue { get; init; }

    /// <summary>The smallest difference this many cases can detect (80% power).</summary>
    public double MinimumDetectableEffect { get; init; }

    /// <summary>The experiment's minimum effect in scale points (fraction × scale range).</summary>
    public double MinEffect { get; init; }

    /// <summary>The significance level used.</summary>
    public double Alpha { get; init; }

    /// <summary>Whether the candidate is better by at least the minimum effect with p below α.</summary>
    public bool SignificantImprovement { get; init; }

    /// <summary>Whether the candidate is worse by at least the minimum effect with p below α.</summary>
    public bool SignificantRegression { get; init; }

    /// <summary>Change in the share of flagged outputs (candidate minus parent).</summary>
    public double FlagRateDifference { get; init; }

    /// <summary>The p-value of that change.</summary>
    public double FlagRatePValue { get; init; }

    /// <summary>Whether the flag rate rose significantly: autopilot then waits for a person.</summary>
    public bool FlagRateRose { get; init; }

    /// <summary>The seed of the resampling.</summary>
    public int Seed { get; init; }

    /// <summary>The number of resamples.</summary>
    public int Resamples { get; init; }
}

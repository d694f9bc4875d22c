namespace Edison.Core.Statistics;

/// <summary>
/// A candidate against its parent on the same cases: mean of (candidate − parent) with a paired-bootstrap interval, the sign-flip
/// p-value, and the smallest effect this many cases could detect at 80% power.
/// </summary>
public sealed record BootstrapPairedResult(
    double MeanDifference,
    double CiLow,
    double CiHigh,
    double PValue,
    int N,
    int Resamples,
    int Seed,
    double MinimumDetectableEffect);

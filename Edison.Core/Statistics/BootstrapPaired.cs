namespace Edison.Core.Statistics;

/// <summary>Paired comparison of a candidate with its parent, case by case.</summary>
public static class BootstrapPaired
{
    /// <summary>
    /// Mean of per-case differences (candidate − parent) with a percentile interval at 1 − <paramref name="alpha"/> from resampling
    /// cases, the <see cref="PermutationSignFlip"/> p-value and the <see cref="Statistics.MinimumDetectableEffect.Paired"/> effect
    /// (sample standard deviation of the differences, power 0.8). Fewer than two cases give a NaN interval and p = 1.
    /// </summary>
    public static BootstrapPairedResult Compare(IReadOnlyList<(double Candidate, double Parent)> perCase, int resamples = 2000, double alpha = 0.05, int seed = 12345)
    {
        ArgumentNullException.ThrowIfNull(perCase);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(alpha, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(alpha, 1);
        var differences = perCase.Select(c => c.Candidate - c.Parent).ToArray();
        var n = differences.Length;
        var mean = n == 0 ? double.NaN : differences.Average();
        if (n < 2)
        {
            return new BootstrapPairedResult(mean, double.NaN, double.NaN, 1, n, resamples, seed, double.PositiveInfinity);
        }

        var interval = Bootstrap.Mean(differences, resamples, 1 - alpha, seed);
        var sd = Math.Sqrt(differences.Sum(d => (d - mean) * (d - mean)) / (n - 1));
        return new BootstrapPairedResult(
            mean,
            interval.Low,
            interval.High,
            PermutationSignFlip.PValue(differences, resamples, seed),
            n,
            resamples,
            seed,
            MinimumDetectableEffect.Paired(sd, n, alpha, power: 0.8));
    }
}

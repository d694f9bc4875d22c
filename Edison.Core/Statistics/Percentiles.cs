namespace Edison.Core.Statistics;

/// <summary>Percentiles of raw observations such as latency, cost or tokens (p50, p95).</summary>
public static class Percentiles
{
    /// <summary>
    /// The <paramref name="p"/> quantile (0..1, so 0.95 is p95) by linear interpolation between closest ranks, as numpy's default.
    /// The values need not be sorted. No values give NaN.
    /// </summary>
    public static double Of(IReadOnlyList<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!(p is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "The percentile must be between 0 and 1.");
        }

        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.ToArray();
        Array.Sort(sorted);
        return Bootstrap.Percentile(sorted, p);
    }
}

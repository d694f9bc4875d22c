namespace Edison.Core.Statistics;

/// <summary>Confidence intervals for a proportion such as a pass rate.</summary>
public static class BootstrapProportion
{
    /// <summary>
    /// Wilson score interval around successes / n. Unlike the Wald interval it stays inside [0, 1] and is not degenerate at
    /// 0/n or n/n. The name groups it with the other intervals; it is closed-form, not resampled. n = 0 gives NaN with N = 0.
    /// </summary>
    public static ConfidenceInterval Wilson(int successes, int n, double confidence = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, n);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(confidence, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(confidence, 1);
        if (n == 0)
        {
            return new ConfidenceInterval(double.NaN, double.NaN, double.NaN, 0);
        }

        var z = NormalQuantile.Of(1 - ((1 - confidence) / 2));
        var p = (double)successes / n;
        var z2 = z * z;
        var denominator = 1 + (z2 / n);
        var centre = (p + (z2 / (2.0 * n))) / denominator;
        var half = z / denominator * Math.Sqrt((p * (1 - p) / n) + (z2 / (4.0 * n * n)));
        return new ConfidenceInterval(p, Math.Max(0, centre - half), Math.Min(1, centre + half), n);
    }
}

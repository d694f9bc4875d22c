namespace Edison.Core.Statistics;

/// <summary>The smallest true mean difference a paired comparison would detect with the given power.</summary>
public static class MinimumDetectableEffect
{
    /// <summary>
    /// (z<sub>1−α/2</sub> + z<sub>power</sub>) · sd / √n for a two-sided paired test. This is the normal approximation:
    /// it ignores that sd is itself estimated, so for small n the true detectable effect is somewhat larger
    /// (a t quantile would widen it). Fewer than two pairs detect nothing, so the result is +∞.
    /// </summary>
    public static double Paired(double sdOfDifferences, int n, double alpha = 0.05, double power = 0.8)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sdOfDifferences);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(alpha, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(alpha, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(power, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(power, 1);
        if (n < 2)
        {
            return double.PositiveInfinity;
        }

        return (NormalQuantile.Of(1 - (alpha / 2)) + NormalQuantile.Of(power)) * sdOfDifferences / Math.Sqrt(n);
    }
}

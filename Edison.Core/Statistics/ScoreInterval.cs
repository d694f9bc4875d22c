namespace Edison.Core.Statistics;

/// <summary>
/// The confidence interval of a mean score on a bounded rating scale (such as 1–5): Student's t on the scores plus a
/// pseudo-observation of weight <see cref="EndWeight"/> at each end of the scale.
/// </summary>
/// <remarks>
/// Why this method: judge scores are few, discrete and bounded, and often piled up at the top of the scale. The percentile
/// bootstrap covered the true mean of such scores 90 % of the time at n = 10 (nominal 95 %); plain Student-t does little
/// better on a top-heavy scale (89 % at n = 10, 93 % at n = 30, exact enumeration), because samples that happen to be all
/// 5s have no spread and give an interval of no width. BCa needs the same spread and fares no better at n = 10. The two
/// pseudo-observations — like the Agresti–Coull "add successes and failures" for a proportion — keep the spread above zero
/// in proportion to the room left on the scale, which is exactly where the t interval fails; their weight (0.15 each) is
/// small enough that at n = 100 the interval is the t interval. <c>CoverageSimulationTests</c> holds it to 93.5–97.5 %
/// on two fixed distributions at n = 10, 30 and 100. The estimate reported is the plain mean of the scores.
/// </remarks>
public static class ScoreInterval
{
    /// <summary>The weight of the pseudo-observation at each end of the scale.</summary>
    public const double EndWeight = 0.15;

    /// <summary>
    /// The mean of <paramref name="values"/> with its interval, clipped to [<paramref name="scaleMin"/>, <paramref name="scaleMax"/>].
    /// No values give a NaN estimate with N = 0 (callers show an empty state); one value gives the whole scale as its interval,
    /// since one score says nothing about how scores spread.
    /// </summary>
    public static ConfidenceInterval Mean(IReadOnlyList<double> values, double scaleMin, double scaleMax, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(confidence, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(confidence, 1);
        if (!(scaleMin < scaleMax) || !double.IsFinite(scaleMin) || !double.IsFinite(scaleMax))
        {
            throw new ArgumentOutOfRangeException(nameof(scaleMax), scaleMax, "The scale must run from a finite minimum up to a larger finite maximum.");
        }

        var n = values.Count;
        if (n == 0)
        {
            return new ConfidenceInterval(double.NaN, double.NaN, double.NaN, 0);
        }

        var mean = values.Average();
        if (n == 1)
        {
            return new ConfidenceInterval(mean, scaleMin, scaleMax, 1);
        }

        var weight = n + (2 * EndWeight);
        var centre = (values.Sum() + (EndWeight * (scaleMin + scaleMax))) / weight;
        var squares = values.Sum(v => (v - centre) * (v - centre))
            + (EndWeight * (scaleMin - centre) * (scaleMin - centre))
            + (EndWeight * (scaleMax - centre) * (scaleMax - centre));
        var sd = Math.Sqrt(squares / (weight - 1));
        var half = StudentT.Quantile(1 - ((1 - confidence) / 2), n - 1) * sd / Math.Sqrt(weight);
        var low = Math.Max(scaleMin, Math.Min(mean, centre - half));
        var high = Math.Min(scaleMax, Math.Max(mean, centre + half));
        return new ConfidenceInterval(mean, low, high, n);
    }
}

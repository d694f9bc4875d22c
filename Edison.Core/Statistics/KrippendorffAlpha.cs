namespace Edison.Core.Statistics;

/// <summary>
/// Krippendorff's alpha inter-rater reliability, computed from the coincidence matrix as in Krippendorff (2011),
/// "Computing Krippendorff's Alpha-Reliability".
/// </summary>
public static class KrippendorffAlpha
{
    /// <summary>
    /// α = 1 − D<sub>o</sub>/D<sub>e</sub> over <paramref name="units"/> × coders, null meaning a coder gave no value. Units with
    /// fewer than two values are not pairable and are ignored. When there is no disagreement to expect — no pairable values, or
    /// every pairable value the same — α is 0/0 and this returns NaN rather than pretending to perfect (1) or no (0) reliability.
    /// </summary>
    public static double Compute(IReadOnlyList<IReadOnlyList<double?>> units, KrippendorffLevel level)
    {
        var data = Prepare(units);
        return Alpha(data.Units, data.Values, level, Enumerable.Range(0, data.Units.Length));
    }

    /// <summary>
    /// <see cref="Compute"/> with a percentile interval from resampling pairable units with replacement. Resamples whose α is
    /// undefined are dropped; if all are, the bounds are NaN. N is the number of pairable units.
    /// </summary>
    public static ConfidenceInterval ComputeWithCi(IReadOnlyList<IReadOnlyList<double?>> units, KrippendorffLevel level, int resamples = 2000, int seed = 12345, double confidence = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(confidence, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(confidence, 1);
        var data = Prepare(units);
        var count = data.Units.Length;
        var estimate = Alpha(data.Units, data.Values, level, Enumerable.Range(0, count));
        if (count == 0)
        {
            return new ConfidenceInterval(estimate, double.NaN, double.NaN, 0);
        }

        var random = new Random(seed);
        var alphas = new List<double>(resamples);
        var picks = new int[count];
        for (var r = 0; r < resamples; r++)
        {
            for (var i = 0; i < count; i++)
            {
                picks[i] = random.Next(count);
            }

            var alpha = Alpha(data.Units, data.Values, level, picks);
            if (!double.IsNaN(alpha))
            {
                alphas.Add(alpha);
            }
        }

        if (alphas.Count == 0)
        {
            return new ConfidenceInterval(estimate, double.NaN, double.NaN, count);
        }

        var sorted = alphas.ToArray();
        Array.Sort(sorted);
        var tail = (1 - confidence) / 2;
        return new ConfidenceInterval(estimate, Bootstrap.Percentile(sorted, tail), Bootstrap.Percentile(sorted, 1 - tail), count);
    }

    private static (PairableUnit[] Units, double[] Values) Prepare(IReadOnlyList<IReadOnlyList<double?>> units)
    {
        ArgumentNullException.ThrowIfNull(units);
        var raw = new List<double[]>();
        foreach (var unit in units)
        {
            ArgumentNullException.ThrowIfNull(unit, nameof(units));
            var present = unit.Where(v => v.HasValue).Select(v => v!.Value).ToArray();
            if (present.Any(v => !double.IsFinite(v)))
            {
                throw new ArgumentException("Values must be finite numbers; use null for a missing value.", nameof(units));
            }

            if (present.Length >= 2)
            {
                raw.Add(present);
            }
        }

        var values = raw.SelectMany(v => v).Distinct().Order().ToArray();
        var pairable = raw
            .Select(present => new PairableUnit(
                present.GroupBy(v => v).Select(g => (Array.BinarySearch(values, g.Key), g.Count())).ToArray(),
                present.Length))
            .ToArray();
        return (pairable, values);
    }

    private static double Alpha(PairableUnit[] units, double[] values, KrippendorffLevel level, IEnumerable<int> picks)
    {
        var k = values.Length;
        var coincidences = new double[k, k];
        foreach (var index in picks)
        {
            var unit = units[index];
            foreach (var (c, countC) in unit.Counts)
            {
                foreach (var (d, countD) in unit.Counts)
                {
                    var pairs = c == d ? countC * (countC - 1) : countC * countD;
                    coincidences[c, d] += (double)pairs / (unit.Size - 1);
                }
            }
        }

        var marginals = new double[k];
        var n = 0.0;
        for (var c = 0; c < k; c++)
        {
            for (var d = 0; d < k; d++)
            {
                marginals[c] += coincidences[c, d];
            }

            n += marginals[c];
        }

        var observed = 0.0;
        var expected = 0.0;
        for (var c = 0; c < k; c++)
        {
            for (var d = c + 1; d < k; d++)
            {
                var delta = Delta(level, values, marginals, c, d);
                observed += coincidences[c, d] * delta;
                expected += marginals[c] * marginals[d] * delta;
            }
        }

        // Symmetric matrix and δ²(c, c) = 0: the upper triangle is half of each sum, and the halves cancel in the ratio.
        return expected == 0 ? double.NaN : 1 - ((n - 1) * observed / expected);
    }

    private static double Delta(KrippendorffLevel level, double[] values, double[] marginals, int c, int d)
    {
        switch (level)
        {
            case KrippendorffLevel.Nominal:
                return 1;
            case KrippendorffLevel.Interval:
                var gap = values[c] - values[d];
                return gap * gap;
            case KrippendorffLevel.Ordinal:
                var between = -(marginals[c] + marginals[d]) / 2;
                for (var g = c; g <= d; g++)
                {
                    between += marginals[g];
                }

                return between * between;
            default:
                throw new ArgumentOutOfRangeException(nameof(level), level, "Unknown level of measurement.");
        }
    }

    private sealed record PairableUnit((int Value, int Count)[] Counts, int Size);
}

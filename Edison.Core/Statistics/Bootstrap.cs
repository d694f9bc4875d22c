namespace Edison.Core.Statistics;

/// <summary>Percentile bootstrap, seeded so the same scores always give the same interval.</summary>
public static class Bootstrap
{
    /// <summary>The mean of <paramref name="values"/> with a percentile-bootstrap confidence interval.</summary>
    public static ConfidenceInterval Mean(IReadOnlyList<double> values, int resamples = 2000, double confidence = 0.95, int seed = 12345)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(confidence, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(confidence, 1);
        if (values.Count == 0)
        {
            return new ConfidenceInterval(double.NaN, double.NaN, double.NaN, 0);
        }

        var mean = values.Average();
        if (values.Count == 1)
        {
            return new ConfidenceInterval(mean, mean, mean, 1);
        }

        var random = new Random(seed);
        var means = new double[resamples];
        for (var r = 0; r < resamples; r++)
        {
            var sum = 0.0;
            for (var i = 0; i < values.Count; i++)
            {
                sum += values[random.Next(values.Count)];
            }

            means[r] = sum / values.Count;
        }

        Array.Sort(means);
        var alpha = (1 - confidence) / 2;
        return new ConfidenceInterval(mean, Percentile(means, alpha), Percentile(means, 1 - alpha), values.Count);
    }

    /// <summary>Linear interpolation between closest ranks of a sorted array.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Length == 0)
        {
            throw new ArgumentException("There is no percentile of an empty array.", nameof(sorted));
        }

        if (!(p is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "The percentile must be between 0 and 1.");
        }

        var position = p * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = (int)Math.Ceiling(position);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (position - lower));
    }
}

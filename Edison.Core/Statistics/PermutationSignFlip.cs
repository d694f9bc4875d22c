namespace Edison.Core.Statistics;

/// <summary>Two-sided sign-flip permutation test that the mean of paired differences is zero.</summary>
public static class PermutationSignFlip
{
    /// <summary>Up to this many differences every one of the 2<sup>n</sup> sign patterns is enumerated.</summary>
    public const int ExactLimit = 16;

    /// <summary>
    /// The smallest p-value <see cref="PValue"/> can return on <paramref name="n"/> differences: 2 / 2<sup>n</sup> when exact
    /// (all differences one way), 1 / (resamples + 1) above <see cref="ExactLimit"/>, and 1 with no differences.
    /// </summary>
    public static double SmallestPValue(int n, int resamples = 2000)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        return n == 0 ? 1 : n <= ExactLimit ? Math.Min(1, 2.0 / (1L << n)) : 1.0 / (resamples + 1.0);
    }

    /// <summary>
    /// The share of sign flips whose |mean| is at least the observed |mean|. With n ≤ <see cref="ExactLimit"/> this is exact
    /// (the identity flip included, so the smallest p is 2/2<sup>n</sup>); above it, <paramref name="resamples"/> random flips
    /// give (count + 1) / (resamples + 1), which never reports p = 0. No differences, or all zero, give 1.
    /// </summary>
    public static double PValue(IReadOnlyList<double> differences, int resamples = 2000, int seed = 12345)
    {
        ArgumentNullException.ThrowIfNull(differences);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        var n = differences.Count;
        if (n == 0 || differences.All(d => d == 0))
        {
            return 1;
        }

        var observed = Math.Abs(differences.Sum());
        // Flipped sums are the same numbers added in another order; the tolerance keeps the identity flip counted.
        var threshold = observed - (1e-9 * Math.Max(1, differences.Sum(Math.Abs)));
        if (n <= ExactLimit)
        {
            var patterns = 1L << n;
            var extreme = 0L;
            for (var mask = 0L; mask < patterns; mask++)
            {
                var sum = 0.0;
                for (var i = 0; i < n; i++)
                {
                    sum += (mask & (1L << i)) == 0 ? differences[i] : -differences[i];
                }

                if (Math.Abs(sum) >= threshold)
                {
                    extreme++;
                }
            }

            return (double)extreme / patterns;
        }

        var random = new Random(seed);
        var count = 0;
        for (var r = 0; r < resamples; r++)
        {
            var sum = 0.0;
            for (var i = 0; i < n; i++)
            {
                sum += random.Next(2) == 0 ? differences[i] : -differences[i];
            }

            if (Math.Abs(sum) >= threshold)
            {
                count++;
            }
        }

        return (count + 1.0) / (resamples + 1.0);
    }
}

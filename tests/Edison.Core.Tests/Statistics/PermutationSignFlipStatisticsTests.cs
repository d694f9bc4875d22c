using Edison.Core.Statistics;

namespace Edison.Core.Tests.Statistics;

public sealed class PermutationSignFlipStatisticsTests
{
    [Fact]
    public void PValue_AllDifferencesPositiveOne_IsTwoOverTwoToTheN()
    {
        // Only "no flip" and "flip all" reach |sum| = 5 among 2^5 = 32 patterns.
        Assert.Equal(2.0 / 32, PermutationSignFlip.PValue([1, 1, 1, 1, 1]), precision: 15);
    }

    [Fact]
    public void PValue_ThreeDifferences_MatchesHandEnumeration()
    {
        // d = (3, 1, −1), observed sum 3. The 8 flipped sums are ±5, ±3, ±3, ±1; six have |sum| ≥ 3, so p = 6/8.
        Assert.Equal(0.75, PermutationSignFlip.PValue([3, 1, -1]), precision: 15);
    }

    [Fact]
    public void PValue_FourDifferences_MatchesHandEnumeration()
    {
        // d = (4, 2, 1, −1), observed sum 6. With +4 kept the sums are 8, 6, 6, 4, 4, 2, 2, 0: three reach 6; the −4 half mirrors
        // them, so p = 6/16.
        Assert.Equal(0.375, PermutationSignFlip.PValue([4, 2, 1, -1]), precision: 15);
    }

    [Fact]
    public void PValue_FractionalDifferences_CountsTiedFlipsDespiteRounding()
    {
        // d = (0.5, 1.0, −0.2, 0.3, 0.8, 0.1), sum 2.5. Flipping a subset S gives 2.5 − 2·ΣS, extreme when ΣS ≤ 0 or ΣS ≥ 2.5:
        // S = {}, {−0.2}, {−0.2, 0.1} and their complements, so 6 of 64. Float sums like 0.1 − 0.2 must not drop the identity.
        Assert.Equal(6.0 / 64, PermutationSignFlip.PValue([0.5, 1.0, -0.2, 0.3, 0.8, 0.1]), precision: 15);
    }

    [Fact]
    public void PValue_AllZero_IsOne() => Assert.Equal(1.0, PermutationSignFlip.PValue([0, 0, 0]));

    [Fact]
    public void PValue_Empty_IsOne() => Assert.Equal(1.0, PermutationSignFlip.PValue([]));

    [Fact]
    public void PValue_SeventeenUnanimousDifferences_MonteCarloNeverReportsZero()
    {
        // Exact p = 2/2^17 ≈ 1.5e-5; with 999 random flips no draw is that extreme, so p = (0 + 1)/(999 + 1).
        var differences = Enumerable.Repeat(1.0, 17).ToArray();

        Assert.Equal(1.0 / 1000, PermutationSignFlip.PValue(differences, resamples: 999), precision: 15);
    }

    [Fact]
    public void PValue_SeventeenMixedDifferences_MonteCarloAgreesWithFullEnumeration()
    {
        var differences = Enumerable.Range(0, 17).Select(i => Math.Sin(i + 1) + 0.3).ToArray();
        var exact = EnumerateExactly(differences);

        var sampled = PermutationSignFlip.PValue(differences, resamples: 20_000, seed: 99);

        Assert.InRange(exact, 0.01, 0.99);
        Assert.InRange(sampled, exact - 0.015, exact + 0.015);
    }

    [Fact]
    public void PValue_MonteCarloSameSeed_SameValue()
    {
        var differences = Enumerable.Range(0, 30).Select(i => Math.Cos(i) + 0.1).ToArray();

        Assert.Equal(PermutationSignFlip.PValue(differences, seed: 5), PermutationSignFlip.PValue(differences, seed: 5));
    }

    private static double EnumerateExactly(double[] d)
    {
        var observed = Math.Abs(d.Sum());
        var extreme = 0;
        for (var mask = 0; mask < 1 << d.Length; mask++)
        {
            var sum = d.Select((x, i) => (mask & (1 << i)) == 0 ? x : -x).Sum();
            if (Math.Abs(sum) >= observed - 1e-9)
            {
                extreme++;
            }
        }

        return (double)extreme / (1 << d.Length);
    }
}

using Edison.Core.Statistics;

namespace Edison.Core.Tests.Statistics;

public sealed class KrippendorffAlphaStatisticsTests
{
    // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the 4 coders × 12 units example with missing values.
    // Rows are units 1..12, columns coders A, B, C, D. Unit 12 has one value and is not pairable.
    private static readonly IReadOnlyList<IReadOnlyList<double?>> PublishedExample =
    [
        [1, 1, null, 1],
        [2, 2, 3, 2],
        [3, 3, 3, 3],
        [3, 3, 3, 3],
        [2, 2, 2, 2],
        [1, 2, 3, 4],
        [4, 4, 4, 4],
        [1, 1, 2, 1],
        [2, 2, 2, 2],
        [null, 5, 5, 5],
        [null, null, 1, 1],
        [null, 3, null, null],
    ];

    [Theory]
    [InlineData(KrippendorffLevel.Nominal, 0.743)]
    [InlineData(KrippendorffLevel.Ordinal, 0.815)]
    [InlineData(KrippendorffLevel.Interval, 0.849)]
    public void Compute_PublishedFourCoderExample_MatchesKrippendorff2011(KrippendorffLevel level, double published)
    {
        var alpha = KrippendorffAlpha.Compute(PublishedExample, level);

        Assert.Equal(published, Math.Round(alpha, 3), precision: 3);
    }

    [Fact]
    public void Compute_TwoCodersNominal_MatchesHandComputedCoincidences()
    {
        // Units (1,1), (1,2), (2,2), (2,2). Coincidences: o11 = 2, o12 = o21 = 1, o22 = 4; n1 = 3, n2 = 5, n = 8.
        // α = 1 − (n − 1)·(o12 + o21) / (2·n1·n2) = 1 − 7·2/30 = 8/15.
        IReadOnlyList<IReadOnlyList<double?>> units = [[1, 1], [1, 2], [2, 2], [2, 2]];

        var alpha = KrippendorffAlpha.Compute(units, KrippendorffLevel.Nominal);

        Assert.Equal(8.0 / 15, alpha, precision: 12);
    }

    [Theory]
    [InlineData(KrippendorffLevel.Nominal)]
    [InlineData(KrippendorffLevel.Ordinal)]
    [InlineData(KrippendorffLevel.Interval)]
    public void Compute_PerfectAgreementWithVariation_IsOne(KrippendorffLevel level)
    {
        IReadOnlyList<IReadOnlyList<double?>> units = [[1, 1, 1], [2, 2, null], [5, 5, 5], [3, null, 3]];

        Assert.Equal(1.0, KrippendorffAlpha.Compute(units, level), precision: 12);
    }

    [Theory]
    [InlineData(KrippendorffLevel.Nominal)]
    [InlineData(KrippendorffLevel.Ordinal)]
    [InlineData(KrippendorffLevel.Interval)]
    public void Compute_EveryValueTheSame_IsNaNBecauseNoDisagreementIsExpected(KrippendorffLevel level)
    {
        IReadOnlyList<IReadOnlyList<double?>> units = [[4, 4], [4, 4, 4], [4, null]];

        Assert.True(double.IsNaN(KrippendorffAlpha.Compute(units, level)));
    }

    [Fact]
    public void Compute_NoPairableUnit_IsNaN()
    {
        IReadOnlyList<IReadOnlyList<double?>> units = [[1, null], [null, 2], []];

        Assert.True(double.IsNaN(KrippendorffAlpha.Compute(units, KrippendorffLevel.Nominal)));
    }

    [Fact]
    public void Compute_SingleValuedUnitAdded_DoesNotChangeAlpha()
    {
        var without = PublishedExample.Take(11).ToList();
        IReadOnlyList<IReadOnlyList<double?>> with = [.. without, [null, null, 1, null], [5, null, null, null]];

        Assert.Equal(
            KrippendorffAlpha.Compute(without, KrippendorffLevel.Interval),
            KrippendorffAlpha.Compute(with, KrippendorffLevel.Interval),
            precision: 12);
    }

    [Fact]
    public void Compute_OrdinalIgnoresSpacingButIntervalDoesNot()
    {
        // Relabelling 5 as 50 keeps every rank, so ordinal α is unchanged while interval α must move.
        var stretched = PublishedExample.Select(u => (IReadOnlyList<double?>)u.Select(v => v == 5 ? 50 : v).ToList()).ToList();

        Assert.Equal(
            KrippendorffAlpha.Compute(PublishedExample, KrippendorffLevel.Ordinal),
            KrippendorffAlpha.Compute(stretched, KrippendorffLevel.Ordinal),
            precision: 12);
        Assert.NotEqual(
            Math.Round(KrippendorffAlpha.Compute(PublishedExample, KrippendorffLevel.Interval), 6),
            Math.Round(KrippendorffAlpha.Compute(stretched, KrippendorffLevel.Interval), 6));
    }

    [Fact]
    public void ComputeWithCi_PublishedExample_EstimateIsPointAlphaAndNCountsPairableUnits()
    {
        var interval = KrippendorffAlpha.ComputeWithCi(PublishedExample, KrippendorffLevel.Nominal);

        Assert.Equal(KrippendorffAlpha.Compute(PublishedExample, KrippendorffLevel.Nominal), interval.Estimate);
        Assert.Equal(11, interval.N);
        Assert.True(interval.Low < interval.Estimate && interval.Estimate <= interval.High, $"[{interval.Low}, {interval.High}] vs {interval.Estimate}");
        Assert.InRange(interval.High, -1, 1);
    }

    [Fact]
    public void ComputeWithCi_SameSeed_IdenticalInterval()
    {
        var first = KrippendorffAlpha.ComputeWithCi(PublishedExample, KrippendorffLevel.Ordinal, resamples: 500, seed: 3);
        var second = KrippendorffAlpha.ComputeWithCi(PublishedExample, KrippendorffLevel.Ordinal, resamples: 500, seed: 3);

        Assert.Equal(first, second);
    }

    [Fact]
    public void ComputeWithCi_PerfectAgreement_DegenerateIntervalAtOne()
    {
        IReadOnlyList<IReadOnlyList<double?>> units = [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]];

        var interval = KrippendorffAlpha.ComputeWithCi(units, KrippendorffLevel.Interval, resamples: 200);

        Assert.Equal(new ConfidenceInterval(1, 1, 1, 5), interval);
    }

    [Fact]
    public void Compute_NonFiniteValue_Throws()
    {
        IReadOnlyList<IReadOnlyList<double?>> units = [[1, double.NaN]];

        Assert.Throws<ArgumentException>(() => KrippendorffAlpha.Compute(units, KrippendorffLevel.Nominal));
    }
}

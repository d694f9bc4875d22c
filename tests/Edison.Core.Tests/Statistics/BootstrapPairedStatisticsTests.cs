using Edison.Core.Statistics;

namespace Edison.Core.Tests.Statistics;

public sealed class BootstrapPairedStatisticsTests
{
    [Fact]
    public void Compare_EveryCaseImprovesByOne_IntervalIsOneAndPIsExact()
    {
        (double, double)[] perCase = [(4, 3), (2, 1), (5, 4), (3, 2), (1, 0)];

        var result = BootstrapPaired.Compare(perCase);

        // Every resample of five +1 differences has mean 1; sign flips: 2 of 32 reach |sum| = 5; sd = 0 so MDE = 0.
        Assert.Equal(new BootstrapPairedResult(1, 1, 1, 2.0 / 32, 5, 2000, 12345, 0), result);
    }

    [Fact]
    public void Compare_MixedDifferences_HandComputedMeanPAndMde()
    {
        // Differences (0.5, 1.0, −0.2, 0.3, 0.8, 0.1): mean 2.5/6 = 0.416667; sample sd = 0.444597;
        // MDE = 2.801585 · 0.444597 / √6 = 0.508505; exact sign-flip p = 6/64 (see PermutationSignFlipStatisticsTests).
        (double, double)[] perCase = [(1.5, 1.0), (2.0, 1.0), (0.8, 1.0), (1.3, 1.0), (1.8, 1.0), (1.1, 1.0)];

        var result = BootstrapPaired.Compare(perCase);

        Assert.Equal(2.5 / 6, result.MeanDifference, precision: 12);
        Assert.Equal(6.0 / 64, result.PValue, precision: 12);
        Assert.Equal(0.508505, result.MinimumDetectableEffect, precision: 5);
        Assert.Equal(6, result.N);
        Assert.True(result.CiLow < result.MeanDifference && result.MeanDifference < result.CiHigh, $"[{result.CiLow}, {result.CiHigh}]");
        Assert.InRange(result.CiLow, -0.2, 1.0);
        Assert.InRange(result.CiHigh, -0.2, 1.0);
    }

    [Fact]
    public void Compare_SameSeed_IdenticalResult()
    {
        var perCase = Enumerable.Range(0, 25).Select(i => (Math.Sin(i) + 0.2, Math.Cos(i))).ToArray();

        Assert.Equal(BootstrapPaired.Compare(perCase, seed: 8), BootstrapPaired.Compare(perCase, seed: 8));
    }

    [Fact]
    public void Compare_DifferentSeed_DifferentInterval()
    {
        var perCase = Enumerable.Range(0, 25).Select(i => (Math.Sin(i) + 0.2, Math.Cos(i))).ToArray();

        var first = BootstrapPaired.Compare(perCase, seed: 1);
        var second = BootstrapPaired.Compare(perCase, seed: 2);

        Assert.Equal(first.MeanDifference, second.MeanDifference);
        Assert.False(first.CiLow == second.CiLow && first.CiHigh == second.CiHigh);
    }

    [Fact]
    public void Compare_LargerAlpha_NarrowerInterval()
    {
        var perCase = Enumerable.Range(0, 25).Select(i => (Math.Sin(i) + 0.2, Math.Cos(i))).ToArray();

        var wide = BootstrapPaired.Compare(perCase, alpha: 0.01);
        var narrow = BootstrapPaired.Compare(perCase, alpha: 0.5);

        Assert.True(narrow.CiHigh - narrow.CiLow < wide.CiHigh - wide.CiLow);
    }

    [Fact]
    public void Compare_OneCase_NaNIntervalAndPOne()
    {
        var result = BootstrapPaired.Compare([(3.0, 1.0)]);

        Assert.Equal(2, result.MeanDifference);
        Assert.True(double.IsNaN(result.CiLow) && double.IsNaN(result.CiHigh));
        Assert.Equal(1, result.PValue);
        Assert.Equal(double.PositiveInfinity, result.MinimumDetectableEffect);
        Assert.Equal(1, result.N);
    }

    [Fact]
    public void Compare_NoCases_NaNMeanAndZeroN()
    {
        var result = BootstrapPaired.Compare([]);

        Assert.True(double.IsNaN(result.MeanDifference));
        Assert.Equal(0, result.N);
        Assert.Equal(1, result.PValue);
    }
}

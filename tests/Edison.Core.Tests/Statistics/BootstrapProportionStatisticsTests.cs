using Edison.Core.Statistics;

namespace Edison.Core.Tests.Statistics;

public sealed class BootstrapProportionStatisticsTests
{
    [Fact]
    public void Wilson_EightOfTen_MatchesHandComputedInterval()
    {
        // z = 1.959964, z² = 3.841459; centre = (0.8 + z²/20) / (1 + z²/10) = 0.716737;
        // half = z / 1.384146 · √(0.8·0.2/10 + z²/400) = 0.226580 → [0.490162, 0.943318].
        var interval = BootstrapProportion.Wilson(8, 10);

        Assert.Equal(0.8, interval.Estimate, precision: 12);
        Assert.Equal(0.490162, interval.Low, precision: 6);
        Assert.Equal(0.943318, interval.High, precision: 6);
        Assert.Equal(10, interval.N);
    }

    [Fact]
    public void Wilson_ZeroOfTen_LowerBoundZeroUpperZSquaredOverNPlusZSquared()
    {
        // At p = 0 the upper bound is z² / (n + z²) = 3.841459 / 13.841459 = 0.277533.
        var interval = BootstrapProportion.Wilson(0, 10);

        Assert.Equal(0, interval.Low, precision: 12);
        Assert.Equal(0.277533, interval.High, precision: 6);
    }

    [Fact]
    public void Wilson_TenOfTen_MirrorsZeroOfTen()
    {
        var interval = BootstrapProportion.Wilson(10, 10);

        Assert.Equal(1 - 0.277533, interval.Low, precision: 6);
        Assert.Equal(1, interval.High, precision: 12);
    }

    [Fact]
    public void Wilson_NoTrials_NaNWithZeroN()
    {
        var interval = BootstrapProportion.Wilson(0, 0);

        Assert.True(double.IsNaN(interval.Estimate) && double.IsNaN(interval.Low) && double.IsNaN(interval.High));
        Assert.Equal(0, interval.N);
    }

    [Fact]
    public void Wilson_MoreSuccessesThanTrials_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BootstrapProportion.Wilson(11, 10));
}

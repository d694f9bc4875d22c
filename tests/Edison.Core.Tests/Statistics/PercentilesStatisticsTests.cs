using Edison.Core.Statistics;

namespace Edison.Core.Tests.Statistics;

public sealed class PercentilesStatisticsTests
{
    [Theory]
    [InlineData(0.5, 3.0)]
    [InlineData(0.95, 4.8)]
    [InlineData(0.0, 1.0)]
    [InlineData(1.0, 5.0)]
    public void Of_UnsortedValues_InterpolatesLikeNumpy(double p, double expected)
    {
        // Sorted (1, 2, 3, 4, 5): p95 sits at rank 0.95 · 4 = 3.8, so 4 + 0.8 · (5 − 4) = 4.8.
        Assert.Equal(expected, Percentiles.Of([5, 1, 4, 2, 3], p), precision: 12);
    }

    [Fact]
    public void Of_DoesNotReorderTheCallersValues()
    {
        double[] latencies = [300, 100, 200];

        _ = Percentiles.Of(latencies, 0.5);

        Assert.Equal([300, 100, 200], latencies);
    }

    [Fact]
    public void Of_Empty_IsNaN() => Assert.True(double.IsNaN(Percentiles.Of([], 0.5)));

    [Fact]
    public void Of_PercentInsteadOfFraction_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.Of([1, 2], 95));
}

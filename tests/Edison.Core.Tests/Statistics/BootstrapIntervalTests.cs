using Edison.Core.Statistics;

namespace Edison.Core.Tests.Statistics;

public sealed class BootstrapIntervalTests
{
    private static readonly double[] Scores = [3, 4, 5, 2, 4, 5, 1, 3, 4, 4];

    [Fact]
    public void Mean_KnownValues_EstimateIsArithmeticMean()
    {
        var interval = Bootstrap.Mean(Scores);

        Assert.Equal(3.5, interval.Estimate, precision: 12);
        Assert.Equal(Scores.Length, interval.N);
    }

    [Fact]
    public void Mean_SpreadValues_IntervalContainsMeanAndHasWidth()
    {
        var interval = Bootstrap.Mean(Scores);

        Assert.InRange(interval.Estimate, interval.Low, interval.High);
        Assert.True(interval.High - interval.Low > 0.1, $"Interval [{interval.Low}, {interval.High}] is implausibly narrow.");
        Assert.InRange(interval.Low, Scores.Min(), Scores.Max());
        Assert.InRange(interval.High, Scores.Min(), Scores.Max());
    }

    [Fact]
    public void Mean_SameSeed_IdenticalInterval()
    {
        var first = Bootstrap.Mean(Scores, seed: 7);
        var second = Bootstrap.Mean(Scores, seed: 7);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Mean_DifferentSeed_DifferentBounds()
    {
        // Continuous values make a tie of both bounds between two seeds practically impossible.
        var values = Enumerable.Range(0, 40).Select(i => Math.Sin(i) * 10).ToArray();

        var first = Bootstrap.Mean(values, seed: 1);
        var second = Bootstrap.Mean(values, seed: 2);

        Assert.Equal(first.Estimate, second.Estimate);
        Assert.False(first.Low == second.Low && first.High == second.High, $"Seeds 1 and 2 both gave [{first.Low}, {first.High}].");
    }

    [Fact]
    public void Mean_HigherConfidence_WiderInterval()
    {
        var narrow = Bootstrap.Mean(Scores, confidence: 0.5);
        var wide = Bootstrap.Mean(Scores, confidence: 0.99);

        Assert.True(wide.High - wide.Low > narrow.High - narrow.Low);
    }

    [Fact]
    public void Mean_SingleValue_DegenerateInterval()
    {
        var interval = Bootstrap.Mean([4.25]);

        Assert.Equal(new ConfidenceInterval(4.25, 4.25, 4.25, 1), interval);
    }

    [Fact]
    public void Mean_Empty_NaNWithZeroN()
    {
        var interval = Bootstrap.Mean([]);

        Assert.True(double.IsNaN(interval.Estimate));
        Assert.True(double.IsNaN(interval.Low));
        Assert.True(double.IsNaN(interval.High));
        Assert.Equal(0, interval.N);
    }

    [Fact]
    public void Mean_Null_Throws() => Assert.Throws<ArgumentNullException>(() => Bootstrap.Mean(null!));

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Mean_ResamplesBelowOne_Throws(int resamples) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Bootstrap.Mean(Scores, resamples: resamples));

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    public void Mean_ConfidenceOutsideOpenUnitInterval_Throws(double confidence) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Bootstrap.Mean(Scores, confidence: confidence));

    [Theory]
    [InlineData(0.25, 1.75)]
    [InlineData(0.5, 2.5)]
    [InlineData(0.9, 3.7)]
    [InlineData(0.0, 1.0)]
    [InlineData(1.0, 4.0)]
    public void Percentile_WorkedExample_MatchesNumpyLinearInterpolation(double p, double expected)
    {
        // numpy.percentile([1, 2, 3, 4], p * 100) with the default 'linear' method.
        var value = Bootstrap.Percentile([1, 2, 3, 4], p);

        Assert.Equal(expected, value, precision: 12);
    }

    [Fact]
    public void Percentile_SingleElement_ReturnsIt() => Assert.Equal(7.0, Bootstrap.Percentile([7.0], 0.3));

    [Fact]
    public void Percentile_Null_Throws() => Assert.Throws<ArgumentNullException>(() => Bootstrap.Percentile(null!, 0.5));

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void Percentile_POutsideUnitInterval_Throws(double p) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Bootstrap.Percentile([1, 2, 3], p));

    [Fact]
    public void Percentile_Empty_Throws() => Assert.Throws<ArgumentException>(() => Bootstrap.Percentile([], 0.5));
}

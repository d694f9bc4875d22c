using Edison.Core.Statistics;

namespace Edison.Core.Tests.Statistics;

public sealed class StudentTStatisticsTests
{
    [Theory]
    [InlineData(0.975, 1, 12.7062047362)]
    [InlineData(0.975, 9, 2.2621571628)]
    [InlineData(0.975, 29, 2.0452296421)]
    [InlineData(0.975, 99, 1.9842169516)]
    [InlineData(0.95, 4, 2.1318467863)]
    public void Quantile_KnownValues_MatchTables(double p, double df, double expected) =>
        Assert.Equal(expected, StudentT.Quantile(p, df), precision: 7);

    [Fact]
    public void Quantile_LowerTail_IsNegativeOfUpper() =>
        Assert.Equal(-StudentT.Quantile(0.975, 5), StudentT.Quantile(0.025, 5), precision: 10);

    [Fact]
    public void ScoreInterval_Empty_HasNoEstimateAndNoCases()
    {
        var ci = ScoreInterval.Mean([], 1, 5);

        Assert.Equal(0, ci.N);
        Assert.True(double.IsNaN(ci.Estimate));
    }

    [Fact]
    public void ScoreInterval_OneScore_IntervalIsTheWholeScale() =>
        Assert.Equal(new ConfidenceInterval(3.1, 1, 5, 1), ScoreInterval.Mean([3.1], 1, 5));

    [Fact]
    public void ScoreInterval_AllTopScores_IntervalHasWidthBelowTheTop()
    {
        var ci = ScoreInterval.Mean([5, 5, 5, 5, 5, 5, 5, 5, 5, 5], 1, 5);

        Assert.Equal(5, ci.Estimate);
        Assert.Equal(5, ci.High);
        Assert.InRange(ci.Low, 4.0, 4.95);
    }
}

using Edison.Core.Statistics;

namespace Edison.Core.Tests.Statistics;

public sealed class BootstrapCasesStatisticsTests
{
    [Fact]
    public void Mean_UnevenCases_EstimateIsMeanOfCaseMeansNotPooledMean()
    {
        // Case means 2, 2 and 4 (the empty case is skipped): estimate 8/3. Pooling all six values would give 18/6 = 3.
        IReadOnlyList<IReadOnlyList<double>> cases = [[1, 3], [2], [], [4, 4, 4]];

        var interval = BootstrapCases.Mean(cases);

        Assert.Equal(8.0 / 3, interval.Estimate, precision: 12);
        Assert.Equal(3, interval.N);
    }

    [Fact]
    public void Mean_SpreadOnlyWithinCases_IntervalHasNoWidthBecauseCasesMoveTogether()
    {
        // Every case averages 5, so every case resample averages 5; resampling single values would give width.
        IReadOnlyList<IReadOnlyList<double>> cases = [[0, 10], [10, 0], [5, 5], [2, 8]];

        Assert.Equal(new ConfidenceInterval(5, 5, 5, 4), BootstrapCases.Mean(cases));
    }

    [Fact]
    public void Mean_SpreadBetweenCases_IntervalContainsEstimateWithinCaseMeanRange()
    {
        IReadOnlyList<IReadOnlyList<double>> cases = [[1, 2], [3], [4, 5, 6], [2, 2], [5, 4], [1]];

        var interval = BootstrapCases.Mean(cases);

        Assert.True(interval.Low < interval.Estimate && interval.Estimate < interval.High, $"[{interval.Low}, {interval.High}]");
        Assert.InRange(interval.Low, 1, 5);
        Assert.InRange(interval.High, 1, 5);
    }

    [Fact]
    public void Mean_SameSeed_IdenticalInterval()
    {
        var cases = Enumerable.Range(0, 20).Select(i => (IReadOnlyList<double>)[Math.Sin(i), Math.Cos(i)]).ToList();

        Assert.Equal(BootstrapCases.Mean(cases, seed: 4), BootstrapCases.Mean(cases, seed: 4));
    }

    [Fact]
    public void Mean_NoNonEmptyCase_NaNWithZeroN()
    {
        var interval = BootstrapCases.Mean([[], []]);

        Assert.True(double.IsNaN(interval.Estimate));
        Assert.Equal(0, interval.N);
    }
}

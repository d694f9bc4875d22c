using Edison.Core.Runs;

namespace Edison.Core.Tests.Runs;

public sealed class IterationAggregatorTests
{
    private static readonly Guid RunA = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid RunB = Guid.Parse("00000000-0000-0000-0000-00000000000b");

    [Fact]
    public void Compute_FailedOutputs_CountedOverallAndPerModel()
    {
        var metrics = IterationAggregator.Compute(
        [
            (RunA, "small", "succeeded", 4.0), (RunA, "small", "failed", null), (RunA, "small", "failed", null),
            (RunB, "large", "succeeded", 5.0), (RunB, "large", "failed", null),
        ], failedJudgments: 2);

        Assert.Equal(3, metrics.FailedOutputs);
        Assert.Equal(2, metrics.FailedJudgments);
        Assert.Equal([("small", 2), ("large", 1)], metrics.PerModel.Select(m => (m.Model, m.FailedOutputs)));
    }

    [Fact]
    public void Compute_TwoModels_PerModelMeansAndCounts()
    {
        var metrics = IterationAggregator.Compute(
        [
            (RunA, "small", "succeeded", 2.0), (RunA, "small", "succeeded", 4.0),
            (RunB, "large", "succeeded", 5.0), (RunB, "large", "succeeded", 4.0), (RunB, "large", "succeeded", 3.0),
        ], failedJudgments: 0);

        var small = metrics.PerModel.Single(m => m.Model == "small");
        var large = metrics.PerModel.Single(m => m.Model == "large");
        Assert.Equal((3.0, 2), (small.MeanScore, small.N));
        Assert.Equal((4.0, 3), (large.MeanScore, large.N));
        Assert.Equal(3.6, metrics.MeanScore);
        Assert.Equal(5, metrics.N);
        Assert.InRange(3.6, metrics.CiLow!.Value, metrics.CiHigh!.Value);
    }

    [Fact]
    public void Compute_NullScores_IgnoredNotCountedAsZero()
    {
        var metrics = IterationAggregator.Compute(
        [
            (RunA, "m", "succeeded", 4.0), (RunA, "m", "succeeded", null), (RunA, "m", "succeeded", 2.0),
        ], failedJudgments: 1);

        Assert.Equal(3.0, metrics.MeanScore);
        Assert.Equal(2, metrics.N);
        Assert.Equal(0, metrics.FailedOutputs);
        Assert.Equal(2, Assert.Single(metrics.PerModel).N);
    }

    [Fact]
    public void Compute_ModelWithNoScores_NullFiguresNotNaN()
    {
        var metrics = IterationAggregator.Compute(
        [
            (RunA, "m", "succeeded", 4.0), (RunB, "broken", "failed", null),
        ], failedJudgments: 0);

        var broken = metrics.PerModel.Single(m => m.Model == "broken");
        Assert.Null(broken.MeanScore);
        Assert.Null(broken.CiLow);
        Assert.Null(broken.CiHigh);
        Assert.Equal(0, broken.N);
    }

    [Fact]
    public void Compute_NoRows_AllNullAndZero()
    {
        var metrics = IterationAggregator.Compute([], failedJudgments: 0);

        Assert.Null(metrics.MeanScore);
        Assert.Null(metrics.CiLow);
        Assert.Equal(0, metrics.N);
        Assert.Empty(metrics.PerModel);
    }

    [Fact]
    public void Compute_SameModelNameInTwoRuns_KeptApart()
    {
        var metrics = IterationAggregator.Compute(
        [
            (RunA, "same", "succeeded", 1.0), (RunB, "same", "succeeded", 5.0),
        ], failedJudgments: 0);

        Assert.Equal([1.0, 5.0], metrics.PerModel.Select(m => m.MeanScore!.Value).Order());
    }

    [Fact]
    public void Compute_Figures_RoundedToFourDecimals()
    {
        var metrics = IterationAggregator.Compute(
        [
            (RunA, "m", "succeeded", 1.0), (RunA, "m", "succeeded", 1.0), (RunA, "m", "succeeded", 2.0),
        ], failedJudgments: 0);

        Assert.Equal(1.3333, metrics.MeanScore);
    }
}

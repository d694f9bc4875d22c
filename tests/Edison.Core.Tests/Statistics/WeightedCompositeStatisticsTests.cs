using Edison.Core.Statistics;

namespace Edison.Core.Tests.Statistics;

public sealed class WeightedCompositeStatisticsTests
{
    private static readonly (string Name, double Weight, int ScaleMin, int ScaleMax)[] Criteria =
        [("accuracy", 2, 1, 5), ("style", 1, 0, 10)];

    [Fact]
    public void Of_TwoCriteriaOnDifferentScales_NormalisesThenWeights()
    {
        // accuracy 4 on 1..5 → 0.75; style 7 on 0..10 → 0.7; (2·0.75 + 1·0.7) / 3 = 2.2/3.
        var composite = WeightedComposite.Of(new Dictionary<string, double> { ["accuracy"] = 4, ["style"] = 7 }, Criteria);

        Assert.NotNull(composite);
        Assert.Equal(2.2 / 3, composite.Value, precision: 12);
    }

    [Fact]
    public void Of_ScoresAtScaleEnds_ZeroAndOne()
    {
        Assert.Equal(0.0, WeightedComposite.Of(new Dictionary<string, double> { ["accuracy"] = 1, ["style"] = 0 }, Criteria));
        Assert.Equal(1.0, WeightedComposite.Of(new Dictionary<string, double> { ["accuracy"] = 5, ["style"] = 10 }, Criteria));
    }

    [Fact]
    public void Of_MissingCriterion_Null() =>
        Assert.Null(WeightedComposite.Of(new Dictionary<string, double> { ["accuracy"] = 4 }, Criteria));

    [Fact]
    public void Of_ExtraScoreNotInCriteria_Ignored() =>
        Assert.Equal(
            1.0,
            WeightedComposite.Of(new Dictionary<string, double> { ["accuracy"] = 5, ["style"] = 10, ["tone"] = 0 }, Criteria));

    [Fact]
    public void Of_ScoreOutsideScale_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            WeightedComposite.Of(new Dictionary<string, double> { ["accuracy"] = 6, ["style"] = 5 }, Criteria));

    [Fact]
    public void Of_NoCriteria_Null() => Assert.Null(WeightedComposite.Of(new Dictionary<string, double>(), []));
}

using Edison.Core.Statistics;

namespace Edison.Core.Tests.Statistics;

public sealed class JuryScoreStatisticsTests
{
    [Theory]
    [InlineData(JuryAggregation.Mean, 4.4)]
    [InlineData(JuryAggregation.Median, 3.0)]
    [InlineData(JuryAggregation.TrimmedMean, 4.0)]
    public void Combine_FiveScores_MatchesHandValues(JuryAggregation how, double expected)
    {
        // (10, 0, 3, 7, 2): mean 22/5 = 4.4; sorted 0, 2, 3, 7, 10 → median 3; dropping 0 and 10 → (2 + 3 + 7)/3 = 4.
        Assert.Equal(expected, JuryScore.Combine([10, 0, 3, 7, 2], how)!.Value, precision: 12);
    }

    [Fact]
    public void Combine_EvenCountMedian_AveragesMiddlePair() =>
        Assert.Equal(2.5, JuryScore.Combine([4, 1, 2, 3], JuryAggregation.Median));

    [Fact]
    public void Combine_TrimmedMeanOfTwo_IsPlainMean() =>
        Assert.Equal(3.5, JuryScore.Combine([2, 5], JuryAggregation.TrimmedMean));

    [Fact]
    public void Combine_TrimmedMeanWithRepeatedExtremes_DropsOnlyOneOfEach() =>
        // Sorted 1, 1, 5, 5 → drop one 1 and one 5 → (1 + 5)/2 = 3.
        Assert.Equal(3.0, JuryScore.Combine([5, 1, 5, 1], JuryAggregation.TrimmedMean));

    [Fact]
    public void Combine_NoValidScores_Null() => Assert.Null(JuryScore.Combine([], JuryAggregation.Mean));

    [Theory]
    [InlineData(2, 4, true)]
    [InlineData(2, 3, true)]
    [InlineData(1, 3, false)]
    [InlineData(1, 1, true)]
    [InlineData(0, 0, false)]
    [InlineData(0, 1, false)]
    public void IsSufficient_AtLeastHalfAndOne(int valid, int total, bool expected) =>
        Assert.Equal(expected, JuryScore.IsSufficient(valid, total));

    [Fact]
    public void IsSufficient_MoreValidThanTotal_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => JuryScore.IsSufficient(3, 2));
}

using Edison.Core.ClosedLoop;
using Edison.Core.Datasets.Splits;
using Edison.Core.Experiments;
using Edison.Core.Statistics;

namespace Edison.Core.Tests.Statistics;

public sealed class SignificanceReachTests
{
    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(1, 1.0)]
    [InlineData(2, 0.5)]
    [InlineData(5, 0.0625)]
    [InlineData(6, 0.03125)]
    public void SmallestP_ExactSignFlip_IsTwoOverTwoToTheN(int n, double expected) =>
        Assert.Equal(expected, SignificanceReach.SmallestP(n), precision: 12);

    [Fact]
    public void SmallestP_MatchesTheTestOnDifferencesAllOneWay()
    {
        for (var n = 1; n <= 8; n++)
        {
            Assert.Equal(PermutationSignFlip.PValue(Enumerable.Repeat(1.0, n).ToList()), SignificanceReach.SmallestP(n), precision: 12);
        }
    }

    [Fact]
    public void CasesNeeded_AlphaFivePercent_IsSix() => Assert.Equal(6, SignificanceReach.CasesNeeded(0.05));

    [Fact]
    public void Warning_TwoValidationCases_SaysNoChangeCanBeShownAndHowManyToAdd()
    {
        var warning = SignificanceReach.Warning(2, 0.05);

        Assert.NotNull(warning);
        Assert.StartsWith("With 2 validation cases no change can be shown significant", warning, StringComparison.Ordinal);
        Assert.EndsWith("add at least 4.", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Warning_SixValidationCases_IsNull() => Assert.Null(SignificanceReach.Warning(6, 0.05));

    [Fact]
    public void Decide_AutopilotWithoutParentComparison_WaitsAndSaysWhy()
    {
        var (apply, reason) = AutopilotGuard.Decide(ReviewModes.Autopilot, null);

        Assert.False(apply);
        Assert.Contains("no comparison with a parent version", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_AutopilotSignificantImprovementOnTwoCases_WaitsBecauseTwoCasesCannotShowIt()
    {
        var comparison = new VersionComparison { N = 2, Alpha = 0.05, SignificantImprovement = true };

        var (apply, reason) = AutopilotGuard.Decide(ReviewModes.Autopilot, comparison);

        Assert.False(apply);
        Assert.Contains("With 2 validation cases no change can be shown significant", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_AutopilotSignificantImprovementOnEightCases_Applies() =>
        Assert.Equal((true, null), AutopilotGuard.Decide(ReviewModes.Autopilot, new VersionComparison { N = 8, Alpha = 0.05, SignificantImprovement = true }));

    [Fact]
    public void Templates_ExactSplit_AtLeastEightValidationCasesSoAChangeCanBeShown() =>
        Assert.All(ExperimentTemplates.All, t =>
        {
            var (_, validation, _) = StratifiedSplitter.Counts(t.Cases.Count);
            Assert.True(validation >= 8, $"{t.Id}: {validation} validation cases");
            Assert.Null(SignificanceReach.Warning(validation, 0.05));
        });
}

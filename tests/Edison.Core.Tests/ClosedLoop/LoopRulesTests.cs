using Edison.Core.Experiments;
using Edison.Core.ClosedLoop;
using Edison.Core.Runs.Aggregation;

namespace Edison.Core.Tests.ClosedLoop;

public sealed class LoopRulesTests
{
    private static readonly StopRules Defaults = new();

    [Fact]
    public void Compare_EveryValidationCaseBetterByOne_SignificantImprovementWithExactP()
    {
        var parent = Metrics(Enumerable.Range(1, 8).ToDictionary(i => i, _ => 3.0));
        var candidate = Metrics(Enumerable.Range(1, 8).ToDictionary(i => i, _ => 4.0));

        var comparison = LoopRules.Compare(candidate, parent, Guid.NewGuid(), 1, Defaults, scaleRange: 4);

        // Eight positive differences: the exact sign-flip p is 2/2^8; min effect 0.02 × 4 = 0.08.
        Assert.Equal((8, 1.0, 1.0, 1.0), (comparison.N, comparison.MeanDifference, comparison.CiLow, comparison.CiHigh));
        Assert.Equal(Math.Round(2.0 / 256, 6), comparison.PValue);
        Assert.Equal(0.08, comparison.MinEffect);
        Assert.True(comparison.SignificantImprovement);
        Assert.False(comparison.SignificantRegression);
    }

    [Fact]
    public void Compare_SignificantButSmallerThanTheMinimumEffect_IsNotAnImprovement()
    {
        var parent = Metrics(Enumerable.Range(1, 8).ToDictionary(i => i, _ => 3.0));
        var candidate = Metrics(Enumerable.Range(1, 8).ToDictionary(i => i, _ => 3.05));

        var comparison = LoopRules.Compare(candidate, parent, Guid.NewGuid(), 1, Defaults, scaleRange: 4);

        Assert.True(comparison.PValue < 0.05);
        Assert.False(comparison.SignificantImprovement);
    }

    [Fact]
    public void Compare_AllCases_ScheduledRunCountsTrainAndTestToo()
    {
        var parent = Metrics(new Dictionary<int, double> { [1] = 3, [2] = 3, [3] = 3, [4] = 3 }, trainOrTest: [3, 4]);
        var candidate = Metrics(new Dictionary<int, double> { [1] = 4, [2] = 4, [3] = 1, [4] = 1 }, trainOrTest: [3, 4]);

        var comparison = LoopRules.Compare(candidate, parent, Guid.NewGuid(), 1, Defaults, scaleRange: 4, allCases: true);

        Assert.Equal(("all", 4, -0.5), (comparison.Split, comparison.N, comparison.MeanDifference));
    }

    [Fact]
    public void Compare_OnlyValidationCasesCount_TrainAndTestAreIgnored()
    {
        var parent = Metrics(new Dictionary<int, double> { [1] = 3, [2] = 3, [3] = 3, [4] = 3 }, trainOrTest: [3, 4]);
        var candidate = Metrics(new Dictionary<int, double> { [1] = 4, [2] = 4, [3] = 1, [4] = 1 }, trainOrTest: [3, 4]);

        var comparison = LoopRules.Compare(candidate, parent, Guid.NewGuid(), 1, Defaults, scaleRange: 4);

        Assert.Equal(("validation", 2, 1.0), (comparison.Split, comparison.N, comparison.MeanDifference));
    }

    [Fact]
    public void Recommend_ScoresWithinTheBestCi_GoToTheCheaperPrompt()
    {
        var best = Guid.NewGuid();
        var cheaperTie = Guid.NewGuid();
        var worse = Guid.NewGuid();
        var recommended = LoopRules.Recommend(
        [
            (best, Metrics(new Dictionary<int, double> { [1] = 5, [2] = 3, [3] = 4, [4] = 4 }) with { MeanCostPerOutputUsd = 0.02 }),
            (cheaperTie, Metrics(new Dictionary<int, double> { [1] = 4, [2] = 4, [3] = 4, [4] = 3.9 }) with { MeanCostPerOutputUsd = 0.01 }),
            (worse, Metrics(new Dictionary<int, double> { [1] = 1, [2] = 1, [3] = 1, [4] = 1 }) with { MeanCostPerOutputUsd = 0.001 }),
        ]);

        Assert.Equal(cheaperTie, recommended);
    }

    [Fact]
    public void Recommend_ClearWinner_IsChosenEvenWhenDearer()
    {
        var best = Guid.NewGuid();
        var recommended = LoopRules.Recommend(
        [
            (Guid.NewGuid(), Metrics(new Dictionary<int, double> { [1] = 3, [2] = 3, [3] = 3 }) with { MeanCostPerOutputUsd = 0.001 }),
            (best, Metrics(new Dictionary<int, double> { [1] = 5, [2] = 5, [3] = 5 }) with { MeanCostPerOutputUsd = 0.05 }),
        ]);

        Assert.Equal(best, recommended);
    }

    [Fact]
    public void ShouldStop_PatienceRunsOut_FiresWithTheNumbers()
    {
        var flat = new VersionComparison { MeanDifference = 0.01, PValue = 0.4, MinEffect = 0.08 };
        var better = flat with { SignificantImprovement = true, MeanDifference = 1 };

        Assert.Null(LoopRules.ShouldStop(new StopRules { Patience = 3 }, 4, [flat, flat, better], 0, 0, hasRefiner: true));
        var stop = LoopRules.ShouldStop(new StopRules { Patience = 3 }, 5, [flat, flat, flat, better], 0, 0, hasRefiner: true);

        Assert.Equal("patience", stop!.Rule);
        Assert.Equal((3.0, 0.01, 0.4), (stop.Numbers["iterationsWithoutImprovement"], stop.Numbers["lastMeanDifference"], stop.Numbers["lastPValue"]));
    }

    [Fact]
    public void ShouldStop_BudgetSpent_FiresBeforeAnyOtherRule()
    {
        var stop = LoopRules.ShouldStop(new StopRules { BudgetUsd = 1m, MaxIterations = 1 }, 1, [], 1.25m, 0, hasRefiner: true);

        Assert.Equal(("budget", 1.25), (stop!.Rule, stop.Numbers["spentUsd"]));
    }

    [Fact]
    public void ShouldStop_MaxIterationsReached_Fires()
    {
        Assert.Null(LoopRules.ShouldStop(new StopRules { MaxIterations = 3 }, 2, [], 0, 0, hasRefiner: true));
        Assert.Equal("max_iterations", LoopRules.ShouldStop(new StopRules { MaxIterations = 3 }, 3, [], 0, 0, hasRefiner: true)!.Rule);
    }

    [Fact]
    public void ShouldStop_NoRefiner_StopsAfterTheFirstIteration()
    {
        Assert.Equal("no_refiner", LoopRules.ShouldStop(Defaults, 1, [], 0, 0, hasRefiner: false)!.Rule);
    }

    private static IterationMetrics Metrics(Dictionary<int, double> scores, int[]? trainOrTest = null) => new()
    {
        CaseScores = scores.ToDictionary(kv => Case(kv.Key), kv => kv.Value),
        CaseSplits = scores.ToDictionary(kv => Case(kv.Key), kv => trainOrTest?.Contains(kv.Key) == true ? "train" : "validation"),
        CaseFlagRates = scores.ToDictionary(kv => Case(kv.Key), _ => 0.0),
    };

    private static Guid Case(int n) => new($"00000000-0000-0000-0000-{n:D12}");
}

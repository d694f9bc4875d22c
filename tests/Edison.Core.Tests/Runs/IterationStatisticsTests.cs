using Edison.Core.Experiments;
using Edison.Core.Runs.Aggregation;
using Edison.Core.Statistics;

namespace Edison.Core.Tests.Runs;

public sealed class IterationStatisticsTests
{
    private static readonly Rubric TwoCriteria = new(
    [
        new RubricCriterion("Accuracy", "", 0.75, 1, 5, Labels(1, 5)),
        new RubricCriterion("Tone", "", 0.25, 1, 5, Labels(1, 5)),
    ]);

    [Fact]
    public void Compute_TwoJudges_CompositeIsWeightedMeanOfTheJuryPerCriterion()
    {
        var output = Output(Case(1), "m");
        var metrics = IterationStatistics.Compute([output],
            [Verdict(output, "j1", accuracy: 4, tone: 1), Verdict(output, "j2", accuracy: 2, tone: 5)], [], TwoCriteria, JuryAggregation.Mean, 2);

        // Jury: accuracy (4+2)/2 = 3, tone (1+5)/2 = 3 → composite 0.75·3 + 0.25·3 = 3.
        Assert.Equal(3.0, metrics.MeanScore);
        Assert.Equal([3.0, 3.0], metrics.PerCriterion.Select(c => c.MeanScore!.Value));
    }

    [Fact]
    public void Compute_UnequalCriteria_WeightsTheComposite()
    {
        var output = Output(Case(1), "m");
        var metrics = IterationStatistics.Compute([output], [Verdict(output, "j1", accuracy: 5, tone: 1)], [], TwoCriteria, JuryAggregation.Mean, 1);

        // 0.75·5 + 0.25·1 = 4.
        Assert.Equal(4.0, metrics.MeanScore);
    }

    [Fact]
    public void Compute_FewerThanHalfTheJudgesValid_OutputIsInsufficientAndLeftOut()
    {
        var scored = Output(Case(1), "m");
        var starved = Output(Case(2), "m");
        var metrics = IterationStatistics.Compute([scored, starved],
        [
            Verdict(scored, "j1", 5, 5), Verdict(scored, "j2", 5, 5), Verdict(scored, "j3", 5, 5),
            Verdict(starved, "j1", 1, 1), Failed(starved, "j2"), Failed(starved, "j3"),
        ], [], TwoCriteria, JuryAggregation.Mean, 3);

        Assert.Equal((1, 2, 1), (metrics.InsufficientOutputs, metrics.FailedJudgments, metrics.N));
        Assert.Equal(5.0, metrics.MeanScore);
    }

    [Fact]
    public void Compute_HalfTheJudgesValid_OutputCountsWithTheValidOnes()
    {
        var output = Output(Case(1), "m");
        var metrics = IterationStatistics.Compute([output], [Verdict(output, "j1", 4, 4), Failed(output, "j2")], [], TwoCriteria,
            JuryAggregation.Mean, 2);

        Assert.Equal((0, 1, 4.0), (metrics.InsufficientOutputs, metrics.FailedJudgments, metrics.MeanScore!.Value));
    }

    [Fact]
    public void Compute_MedianJury_IgnoresTheOutlierJudge()
    {
        var output = Output(Case(1), "m");
        var metrics = IterationStatistics.Compute([output],
            [Verdict(output, "j1", 5, 5), Verdict(output, "j2", 4, 4), Verdict(output, "j3", 1, 1)], [], TwoCriteria, JuryAggregation.Median, 3);

        Assert.Equal(4.0, metrics.MeanScore);
    }

    [Fact]
    public void Compute_SamplesOfOneCase_AreAveragedIntoOneCaseScore()
    {
        var c1 = Case(1);
        var c2 = Case(2);
        var outputs = new[] { Output(c1, "m", 0), Output(c1, "m", 1), Output(c1, "m", 2), Output(c2, "m") };
        var metrics = IterationStatistics.Compute(outputs,
        [
            Verdict(outputs[0], "j", 5, 5), Verdict(outputs[1], "j", 5, 5), Verdict(outputs[2], "j", 2, 2), Verdict(outputs[3], "j", 1, 1),
        ], [], TwoCriteria, JuryAggregation.Mean, 1);

        // Case 1 = (5+5+2)/3 = 4, case 2 = 1: the mean over cases is 2.5, not the pooled 13/4.
        Assert.Equal(2.5, metrics.MeanScore);
        Assert.Equal(2, metrics.N);
        Assert.Equal(4.0, metrics.CaseScores[c1]);
    }

    [Fact]
    public void Compute_FailedOutputs_CountedOverallAndPerModel()
    {
        var ok = Output(Case(1), "small");
        var failed = Output(Case(2), "small") with { Status = "failed" };
        var large = Output(Case(1), "large") with { Status = "failed" };
        var metrics = IterationStatistics.Compute([ok, failed, large], [Verdict(ok, "j", 3, 3)], [], TwoCriteria, JuryAggregation.Mean, 1);

        Assert.Equal(2, metrics.FailedOutputs);
        Assert.Equal([("small", 1), ("large", 1)], metrics.PerModel.Select(m => (m.Model, m.FailedOutputs)));
    }

    [Fact]
    public void Compute_PiiOrJudgeFlags_CountInTheFlagRateWithWilsonInterval()
    {
        var clean = Output(Case(1), "m");
        var pii = Output(Case(2), "m") with { PiiFlags = ["pii:email"] };
        var flagged = Output(Case(3), "m");
        var metrics = IterationStatistics.Compute([clean, pii, flagged],
            [Verdict(clean, "j", 3, 3), Verdict(pii, "j", 3, 3), Verdict(flagged, "j", 3, 3) with { SafetyFlags = ["harmful"] }], [],
            TwoCriteria, JuryAggregation.Mean, 1);

        var expected = BootstrapProportion.Wilson(2, 3);
        Assert.Equal((2, 3), (metrics.FlagRate!.Count, metrics.FlagRate.N));
        Assert.Equal((expected.Low, expected.High), (metrics.FlagRate.Low, metrics.FlagRate.High));
    }

    [Fact]
    public void Compute_PairJudgedInBothOrders_AgreementWinsDisagreementTies()
    {
        var c1 = Case(1);
        var c2 = Case(2);
        var a1 = Output(c1, "small");
        var b1 = Output(c1, "large");
        var a2 = Output(c2, "small");
        var b2 = Output(c2, "large");
        PairVerdict[] pairs =
        [
            // Case 1: "large" wins in both orders.
            new("p", a1.OutputId, b1.OutputId, true, "second"), new("p", b1.OutputId, a1.OutputId, true, "first"),
            // Case 2: each order prefers whatever came first — position bias, so a tie.
            new("p", a2.OutputId, b2.OutputId, true, "first"), new("p", b2.OutputId, a2.OutputId, true, "first"),
        ];
        var metrics = IterationStatistics.Compute([a1, b1, a2, b2], [], pairs, TwoCriteria, JuryAggregation.Mean, 0);

        var strengths = metrics.PairwiseModels.ToDictionary(s => s.Item);
        Assert.Equal((1.5, 2), (strengths["large"].Wins, strengths["large"].Comparisons));
        Assert.Equal((0.5, 2), (strengths["small"].Wins, strengths["small"].Comparisons));
        Assert.True(strengths["large"].Strength > strengths["small"].Strength);
    }

    [Fact]
    public void Compute_JudgesThatDisagree_LowerKrippendorffAlphaThanJudgesThatAgree()
    {
        var outputs = Enumerable.Range(1, 6).Select(i => Output(Case(i), "m")).ToList();
        var agreeing = outputs.SelectMany((o, i) => new[] { Verdict(o, "j1", (i % 5) + 1, 3), Verdict(o, "j2", (i % 5) + 1, 3) }).ToList();
        var disagreeing = outputs.SelectMany((o, i) => new[] { Verdict(o, "j1", (i % 5) + 1, 3), Verdict(o, "j2", 5 - (i % 5), 3) }).ToList();

        var high = IterationStatistics.Compute(outputs, agreeing, [], TwoCriteria, JuryAggregation.Mean, 2).PerCriterion[0].JudgeAlpha;
        var low = IterationStatistics.Compute(outputs, disagreeing, [], TwoCriteria, JuryAggregation.Mean, 2).PerCriterion[0].JudgeAlpha;

        Assert.Equal(1.0, high);
        Assert.True(low < 0, $"alpha {low}");
    }

    internal static Guid Case(int n) => new($"00000000-0000-0000-0000-{n:D12}");

    [Fact]
    public void Compute_TwoHumanRatingsOn2Of24AndEveryJudgeFailed_NoVersionScoreAndHumansShownBeside()
    {
        var (outputs, verdicts) = HumansOnly();

        var metrics = IterationStatistics.Compute(outputs, verdicts, [], TwoCriteria, JuryAggregation.Mean, 2);

        Assert.Null(metrics.MeanScore);
        Assert.Equal(0, metrics.N);
        Assert.Empty(metrics.CaseScores);
        Assert.Equal(24, metrics.InsufficientOutputs);
        Assert.All(metrics.PerCriterion, c => Assert.Null(c.MeanScore));
        var humans = Assert.IsType<HumanRatingMetrics>(metrics.HumanRatings);
        Assert.Equal((2, 24, 2, false), (humans.RatedOutputs, humans.Outputs, humans.N, humans.JoinScore));
        Assert.Equal(3.5, humans.MeanScore);
        Assert.NotNull(humans.CiLow);
        Assert.Null(humans.JuryAlpha);
        Assert.Equal(0, humans.BothScored);
    }

    [Fact]
    public void Compute_TwoHumanRatingsWithJoinScoreOn_TheyCountAsJurors()
    {
        var (outputs, verdicts) = HumansOnly();

        var metrics = IterationStatistics.Compute(outputs, verdicts, [], TwoCriteria, JuryAggregation.Mean, 2, humanRatingsJoinScore: true);

        Assert.Equal(3.5, metrics.MeanScore);
        Assert.Equal(2, metrics.N);
        Assert.Equal(22, metrics.InsufficientOutputs);
        Assert.True(metrics.HumanRatings!.JoinScore);
        Assert.Equal(2, metrics.HumanRatings.RatedOutputs);
    }

    [Fact]
    public void Compute_OneHumanRatingBesideJudges_NoIntervalNoAlphaAndScoreIsTheJurysOnly()
    {
        var outputs = Enumerable.Range(1, 3).Select(i => Output(Case(i), "m")).ToList();
        List<JudgeScore> verdicts = [.. outputs.Select(o => Verdict(o, "j", 4, 4)), Human(outputs[0], 1, 1)];

        var metrics = IterationStatistics.Compute(outputs, verdicts, [], TwoCriteria, JuryAggregation.Mean, 1);

        Assert.Equal(4, metrics.MeanScore);
        var humans = metrics.HumanRatings!;
        Assert.Equal((1, 3, 1), (humans.RatedOutputs, humans.Outputs, humans.N));
        Assert.Equal(1, humans.MeanScore);
        Assert.Null(humans.CiLow);
        Assert.Null(humans.CiHigh);
        Assert.Null(humans.JuryAlpha);
        Assert.Equal(1, humans.BothScored);
    }

    // 24 answers on 24 cases; both LLM judges failed on every one; a person rated two of them (2 and 5 on both criteria).
    private static (List<ScoredOutput> Outputs, List<JudgeScore> Verdicts) HumansOnly()
    {
        var outputs = Enumerable.Range(1, 24).Select(i => Output(Case(i), "m")).ToList();
        List<JudgeScore> verdicts = [.. outputs.SelectMany(o => new[] { Failed(o, "j1"), Failed(o, "j2") }), Human(outputs[0], 2, 2), Human(outputs[1], 5, 5)];
        return (outputs, verdicts);
    }

    private static JudgeScore Human(ScoredOutput output, int accuracy, int tone) =>
        new(output.OutputId, "person", true, true, new Dictionary<string, int> { ["Accuracy"] = accuracy, ["Tone"] = tone }, []);

    internal static ScoredOutput Output(Guid caseId, string model, int sample = 0, string split = "validation") =>
        new(Guid.NewGuid(), caseId, model, sample, "succeeded", split, [], null, false, 100, 0.001m, 10, []);

    private static JudgeScore Verdict(ScoredOutput output, string judge, int accuracy, int tone) =>
        new(output.OutputId, judge, false, true, new Dictionary<string, int> { ["Accuracy"] = accuracy, ["Tone"] = tone }, []);

    private static JudgeScore Failed(ScoredOutput output, string judge) => new(output.OutputId, judge, false, false, new Dictionary<string, int>(), []);

    private static Dictionary<int, string> Labels(int min, int max) => Enumerable.Range(min, max - min + 1).ToDictionary(l => l, l => $"level {l}");
}

using Edison.Core.ClosedLoop;
using Edison.Core.Runs.Aggregation;

namespace Edison.Core.Tests.ClosedLoop;

public sealed class SummaryTextTests
{
    private static readonly IterationMetrics Metrics = new()
    {
        MeanScore = 4.125,
        CiLow = 3.75,
        CiHigh = 4.5,
        N = 12,
        FailedOutputs = 1,
        FailedJudgments = 2,
        InsufficientOutputs = 3,
        PerModel = [new ModelMetrics("model-a", 4.25, 3.9, 4.6, 12, 0), new ModelMetrics("model-b", 4.0, 3.5, 4.4, 11, 1)],
        PerCriterion =
        [
            new CriterionMetrics("Accuracy", 4.5, 4.1, 4.8, 12, null, null, null, null),
            new CriterionMetrics("Tone", 3.25, 2.9, 3.6, 12, null, null, null, null),
            new CriterionMetrics("Brevity", 3.75, 3.4, 4.1, 12, null, null, null, null),
        ],
        FlagRate = new RateMetrics(0.125, 0.05, 0.3, 3, 24),
    };

    private static readonly VersionComparison Improvement = new()
    {
        ParentVersion = 2, Split = "validation", N = 8, MeanDifference = 0.5, CiLow = 0.25, CiHigh = 0.75, PValue = 0.0078125,
        SignificantImprovement = true,
    };

    [Fact]
    public void Numbers_EveryFigure_ComposedFromTheMetricsAndComparison()
    {
        var text = SummaryText.Numbers(Metrics, Improvement, 3, 0.01234m);

        Assert.Equal(
            """
            v3 scored a composite of 4.13 (95% CI 3.75 to 4.50) over 12 case(s).
            Against v2 on the validation cases (n = 8): +0.50 (95% CI 0.25 to 0.75, p = 0.008), a significant improvement.
            Best criterion: Accuracy (4.50); worst: Tone (3.25).
            Per model: model-a 4.25 (95% CI 3.90 to 4.60, n = 12); model-b 4.00 (95% CI 3.50 to 4.40, n = 11).
            Flagged outputs: 3 of 24 (12.5%, 95% CI 5.0% to 30.0%).
            Failed outputs: 1; failed verdicts: 2; outputs with too few valid verdicts: 3.
            Cost: $0.0123.
            """.ReplaceLineEndings("\n"), text.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Numbers_NoParentNoScores_SaysSoWithoutInventingFigures()
    {
        var text = SummaryText.Numbers(new IterationMetrics { FailedOutputs = 4 }, null, 1, 0m);

        Assert.StartsWith("v1 has no composite: no case was scored.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Against", text, StringComparison.Ordinal);
        Assert.Contains("Failed outputs: 4;", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Numbers_RegressionNotSignificant_NamedInWords()
    {
        var regression = Improvement with { MeanDifference = -0.2, CiLow = -0.6, CiHigh = 0.1, PValue = 0.31, SignificantImprovement = false };

        var text = SummaryText.Numbers(Metrics, regression, 3, 0m);

        Assert.Contains(": -0.20 (95% CI -0.60 to 0.10, p = 0.31), not significant.", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Accuracy rose to 4.9 thanks to the citation rule.")]
    [InlineData("Two of 3 models improved.")]
    public void AcceptCommentary_WithDigits_Refused(string commentary)
    {
        var (accepted, problem) = SummaryText.AcceptCommentary(commentary);

        Assert.Null(accepted);
        Assert.Contains("figures", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AcceptCommentary_PlainSentences_KeptUpToThree()
    {
        var (accepted, problem) = SummaryText.AcceptCommentary(
            "  Sourcing improved. Tone regressed slightly! Look at the weakest criterion. This fourth sentence is cut.  ");

        Assert.Null(problem);
        Assert.Equal("Sourcing improved. Tone regressed slightly! Look at the weakest criterion.", accepted);
    }

    [Fact]
    public void Combine_WithoutCommentary_NumbersThenTheNote()
    {
        Assert.Equal("N.\n\n(No commentary: the call failed.)", SummaryText.Combine("N.", null, "the call failed"));
        Assert.Equal("N.\n\nC.", SummaryText.Combine("N.", "C.", null));
        Assert.Equal("N.", SummaryText.Combine("N.", null, null));
    }
}

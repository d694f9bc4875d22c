using Edison.Core.Experiments;
using Edison.Core.Judging;

namespace Edison.Core.Tests.Judging;

public sealed class VerdictParserTests
{
    private static readonly Rubric Rubric = TwoCriterionRubric.Create();

    private const string ValidJson = """
        {"reasoning": "Mostly right.", "scores": [
            {"criterion": "Correctness", "score": 4, "rationale": "One slip."},
            {"criterion": "Tone", "score": 3, "rationale": "Kind."}],
         "suggestions": ["Ask for units."], "safetyFlags": []}
        """;

    [Fact]
    public void Parse_ValidVerdict_AllFieldsRead()
    {
        var (verdict, error) = VerdictParser.Parse(ValidJson, Rubric);

        Assert.Null(error);
        Assert.NotNull(verdict);
        Assert.Equal("Mostly right.", verdict.Reasoning);
        Assert.Equal([("Correctness", 4), ("Tone", 3)], verdict.Scores.Select(s => (s.Criterion, s.Score)));
        Assert.Equal(["Ask for units."], verdict.Suggestions);
        Assert.Empty(verdict.SafetyFlags);
    }

    [Theory]
    [InlineData("```json\n{0}\n```")]
    [InlineData("```\n{0}\n```")]
    [InlineData("  ```json\n{0}\n```  \n")]
    public void Parse_CodeFencedJson_FenceStripped(string wrapper)
    {
        var (verdict, error) = VerdictParser.Parse(wrapper.Replace("{0}", ValidJson, StringComparison.Ordinal), Rubric);

        Assert.Null(error);
        Assert.Equal(2, verdict!.Scores.Count);
    }

    [Fact]
    public void Parse_CriterionNameDiffersInCaseAndSpace_Matched()
    {
        var json = """{"scores": [{"criterion": " correctness ", "score": 5, "rationale": ""}, {"criterion": "TONE", "score": 1, "rationale": ""}]}""";

        var (verdict, error) = VerdictParser.Parse(json, Rubric);

        Assert.Null(error);
        Assert.Equal("", verdict!.Reasoning);
        Assert.Empty(verdict.Suggestions);
        Assert.Empty(verdict.SafetyFlags);
    }

    [Fact]
    public void Parse_MissingCriterion_ErrorNamesIt()
    {
        var json = """{"reasoning": "r", "scores": [{"criterion": "Correctness", "score": 4, "rationale": "x"}]}""";

        var (verdict, error) = VerdictParser.Parse(json, Rubric);

        Assert.Null(verdict);
        Assert.Equal("The judge did not score the criterion 'Tone'.", error);
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(6, 3)]
    [InlineData(4, 4)]
    public void Parse_ScoreOutsideScale_ErrorNamesScale(int correctness, int tone)
    {
        var json = $$"""{"scores": [{"criterion": "Correctness", "score": {{correctness}}, "rationale": ""}, {"criterion": "Tone", "score": {{tone}}, "rationale": ""}]}""";

        var (verdict, error) = VerdictParser.Parse(json, Rubric);

        Assert.Null(verdict);
        Assert.NotNull(error);
        Assert.Contains("outside its", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("The answer is great, 5/5.")]
    [InlineData("{\"reasoning\": \"cut off")]
    [InlineData("")]
    [InlineData("{\"scores\": [{\"criterion\": \"Tone\", \"score\": \"high\"}]}")]
    public void Parse_InvalidJson_ErrorNotException(string text)
    {
        var (verdict, error) = VerdictParser.Parse(text, Rubric);

        Assert.Null(verdict);
        Assert.NotNull(error);
        Assert.StartsWith("The judge's answer was not valid JSON", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("null")]
    [InlineData("{\"reasoning\": \"no scores\"}")]
    public void Parse_NoScores_Error(string text)
    {
        var (verdict, error) = VerdictParser.Parse(text, Rubric);

        Assert.Null(verdict);
        Assert.Equal("The judge's answer had no scores.", error);
    }

    [Fact]
    public void Composite_TwoCriteria_WeightedMean()
    {
        var verdict = new PointwiseVerdict("", [new CriterionScore("Correctness", 4, ""), new CriterionScore("Tone", 2, "")], [], []);

        // 0.75 × 4 + 0.25 × 2 = 3.5
        Assert.Equal(3.5, VerdictParser.Composite(verdict, Rubric), precision: 12);
    }

    [Fact]
    public void Composite_WeightsNotSummingToOne_Normalised()
    {
        var rubric = new Rubric(
        [
            new RubricCriterion("A", "", 3, 1, 5, new Dictionary<int, string>()),
            new RubricCriterion("B", "", 1, 1, 5, new Dictionary<int, string>()),
        ]);
        var verdict = new PointwiseVerdict("", [new CriterionScore("B", 1, ""), new CriterionScore("a", 5, "")], [], []);

        Assert.Equal(4.0, VerdictParser.Composite(verdict, rubric), precision: 12);
    }

    [Fact]
    public void Composite_ParsedVerdict_MatchesHandComputation()
    {
        var (verdict, _) = VerdictParser.Parse(ValidJson, Rubric);

        Assert.Equal((0.75 * 4) + (0.25 * 3), VerdictParser.Composite(verdict!, Rubric), precision: 12);
    }
}

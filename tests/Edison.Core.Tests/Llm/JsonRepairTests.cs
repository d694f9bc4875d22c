using System.Text.Json;
using Edison.Core.Experiments;
using Edison.Core.Judging;
using Edison.Core.Llm;
using Edison.Core.Tests.Judging;

namespace Edison.Core.Tests.Llm;

public sealed class JsonRepairTests
{
    private const string Valid = """{"a": [1, 2], "b": "x"}""";

    [Fact]
    public void StripCodeFences_FencedJson_ReturnsInnerJson()
    {
        Assert.Equal(Valid, JsonRepair.StripCodeFences($"```json\n{Valid}\n```"));
    }

    [Fact]
    public void StripCodeFences_NoFence_ReturnsTrimmedText()
    {
        Assert.Equal(Valid, JsonRepair.StripCodeFences($"  {Valid}\n"));
    }

    [Fact]
    public void CutToOutermostObject_ProseAroundJson_ReturnsObjectOnly()
    {
        Assert.Equal(Valid, JsonRepair.CutToOutermostObject($"Here is my verdict: {Valid} Hope that helps {{not json}}."));
    }

    [Fact]
    public void CutToOutermostObject_BracesInsideStrings_KeepsWholeObject()
    {
        const string Json = """{"a": "a } inside", "b": {"c": "{"}}""";

        Assert.Equal(Json, JsonRepair.CutToOutermostObject("Sure. " + Json + " Done."));
    }

    [Fact]
    public void RemoveTrailingCommas_BeforeBraceAndBracket_Removed()
    {
        Assert.Equal("""{"a": [1, 2 ], "b": "x" }""", JsonRepair.RemoveTrailingCommas("""{"a": [1, 2, ], "b": "x", }"""));
    }

    [Fact]
    public void RemoveTrailingCommas_CommaInsideString_Kept()
    {
        const string Json = """{"a": "one, }", "b": "two,]"}""";

        Assert.Equal(Json, JsonRepair.RemoveTrailingCommas(Json));
    }

    [Fact]
    public void NormaliseSmartQuotes_TypographicQuotes_BecomeAscii()
    {
        Assert.Equal(Valid, JsonRepair.NormaliseSmartQuotes("{\u201Ca\u201D: [1, 2], \u201Cb\u201D: \u201Cx\u201D}"));
    }

    [Fact]
    public void Repair_AllDamageAtOnce_ParsesToSameDocument()
    {
        var damaged = "Sure!\n```json\n{\u201Ca\u201D: [1, 2,], \u201Cb\u201D: \u201Cx\u201D,}\n```\nAnything else?";

        var repaired = JsonRepair.Repair(damaged);

        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(Valid).RootElement, JsonDocument.Parse(repaired).RootElement));
    }

    [Theory]
    [InlineData("""{"reasoning": "Cut off", "scores": [{"criterion": "Correctness", "score": 4""")]
    [InlineData("I would give it a 4 for correctness and 3 for tone.")]
    [InlineData("""{"reasoning": "x", "scores": [{"criterion": "Correctness", "score": 9, "rationale": "r"}, {"criterion": "Tone", "score": 3, "rationale": "r"},]}""")]
    [InlineData("""{"reasoning": "x", "scores": [{"criterion": "Correctness", "score": 4, "rationale": "r"}]}""")]
    public void Repair_InvalidOrWrongVerdict_ValidatorStillRejects(string answer)
    {
        var (verdict, error) = VerdictParser.Parse(JsonRepair.Repair(answer), TwoCriterionRubric.Create());

        Assert.Null(verdict);
        Assert.NotNull(error);
    }

    [Fact]
    public void Repair_TruncatedObject_StaysInvalidJson()
    {
        var repaired = JsonRepair.Repair("""Verdict: {"a": [1, 2,""");

        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(repaired));
    }

    [Fact]
    public void Repair_FencedVerdictWithTrailingComma_ValidatorAccepts()
    {
        const string Answer = """
            ```json
            {"reasoning": "Ok.", "scores": [{"criterion": "Correctness", "score": 4, "rationale": "r"},
             {"criterion": "Tone", "score": 3, "rationale": "r"},], "suggestions": [], "safetyFlags": [],}
            ```
            """;
        Rubric rubric = TwoCriterionRubric.Create();

        Assert.Null(VerdictParser.Parse(Answer, rubric).Verdict);
        var (verdict, error) = VerdictParser.Parse(JsonRepair.Repair(Answer), rubric);

        Assert.Null(error);
        Assert.Equal([4, 3], verdict!.Scores.Select(s => s.Score));
    }
}

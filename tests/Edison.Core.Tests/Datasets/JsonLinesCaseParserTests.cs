using System.Text;
using Edison.Core.Datasets;

namespace Edison.Core.Tests.Datasets;

public sealed class JsonLinesCaseParserTests
{
    [Fact]
    public void Parse_FlatObject_AllPropertiesAreVariables()
    {
        var (cases, errors) = JsonLinesCaseParser.Parse("""{"question": "Why?", "n": 3}""");

        Assert.Empty(errors);
        var single = Assert.Single(cases);
        Assert.Equal(["question", "n"], single.Variables.Keys);
        Assert.Equal("Why?", single.Variables["question"].GetString());
        Assert.Equal(3, single.Variables["n"].GetInt32());
        Assert.Null(single.ExpectedOutput);
        Assert.Empty(single.Tags);
        Assert.Null(single.Difficulty);
    }

    [Fact]
    public void Parse_WrappedObject_ReadsInputExpectedTagsAndDifficulty()
    {
        var (cases, errors) = JsonLinesCaseParser.Parse(
            """{"input": {"question": "2+2?"}, "expected": "4", "tags": ["math", " ", " easy-one "], "difficulty": "hard"}""");

        Assert.Empty(errors);
        var single = Assert.Single(cases);
        Assert.Equal(["question"], single.Variables.Keys);
        Assert.Equal("4", single.ExpectedOutput);
        Assert.Equal(["math", "easy-one"], single.Tags);
        Assert.Equal("hard", single.Difficulty);
    }

    [Fact]
    public void Parse_ExpectedNotAString_KeptAsRawJson()
    {
        var (cases, _) = JsonLinesCaseParser.Parse("""{"input": {"q": 1}, "expected": {"answer": 4}}""");

        Assert.Equal("""{"answer": 4}""", Assert.Single(cases).ExpectedOutput);
    }

    [Fact]
    public void Parse_BlankAndWhitespaceLines_Skipped()
    {
        var (cases, errors) = JsonLinesCaseParser.Parse("\n{\"a\": 1}\r\n   \n\t\n{\"a\": 2}\n\n");

        Assert.Empty(errors);
        Assert.Equal(2, cases.Count);
    }

    [Fact]
    public void Parse_NullOrEmpty_NoCasesNoErrors()
    {
        Assert.Equal((0, 0), Counts(JsonLinesCaseParser.Parse(null)));
        Assert.Equal((0, 0), Counts(JsonLinesCaseParser.Parse("")));
    }

    [Fact]
    public void Parse_MixedGoodAndBadLines_EveryBadLineReportedWithItsNumberAndGoodLinesKept()
    {
        var text = string.Join('\n',
            """{"q": "one"}""",
            """{"q": "two""",
            "",
            """{"q": "four"}""",
            "not json",
            """{"q": "six"}""");

        var (cases, errors) = JsonLinesCaseParser.Parse(text);

        Assert.Equal(["one", "four", "six"], cases.Select(c => c.Variables["q"].GetString()));
        Assert.Equal([2, 5], errors.Select(e => e.Line));
        Assert.All(errors, e => Assert.StartsWith("Not valid JSON:", e.Message, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.DoesNotContain("Path:", e.Message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("\"just text\"")]
    [InlineData("42")]
    [InlineData("null")]
    public void Parse_NonObjectLine_ExplainedError(string line)
    {
        var (cases, errors) = JsonLinesCaseParser.Parse(line);

        Assert.Empty(cases);
        var error = Assert.Single(errors);
        Assert.Equal(1, error.Line);
        Assert.Contains("must be a JSON object", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}", "no variables")]
    [InlineData("""{"input": {}}""", "\"input\" has no variables")]
    [InlineData("""{"input": "text"}""", "\"input\" must be an object")]
    [InlineData("""{"input": {"q": 1}, "tags": "math"}""", "\"tags\" must be an array of strings")]
    [InlineData("""{"input": {"q": 1}, "tags": ["math", 3]}""", "\"tags\" must be an array of strings")]
    [InlineData("""{"input": {"q": 1}, "difficulty": "extreme"}""", "\"difficulty\" must be")]
    [InlineData("""{"input": {"q": 1}, "difficulty": 2}""", "\"difficulty\" must be")]
    public void Parse_InvalidShape_ExplainedError(string line, string expected)
    {
        var (cases, errors) = JsonLinesCaseParser.Parse(line);

        Assert.Empty(cases);
        Assert.Contains(expected, Assert.Single(errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NullDifficultyAndExpected_Accepted()
    {
        var (cases, errors) = JsonLinesCaseParser.Parse("""{"input": {"q": 1}, "expected": null, "difficulty": null}""");

        Assert.Empty(errors);
        Assert.Null(Assert.Single(cases).Difficulty);
    }

    [Fact]
    public void Parse_ExactlyMaxCases_AllAccepted()
    {
        var (cases, errors) = JsonLinesCaseParser.Parse(Lines(JsonLinesCaseParser.MaxCases));

        Assert.Empty(errors);
        Assert.Equal(JsonLinesCaseParser.MaxCases, cases.Count);
    }

    [Fact]
    public void Parse_MoreThanMaxCases_StopsWithOneErrorOnTheFirstExtraLine()
    {
        var (cases, errors) = JsonLinesCaseParser.Parse(Lines(JsonLinesCaseParser.MaxCases + 5));

        Assert.Equal(JsonLinesCaseParser.MaxCases, cases.Count);
        var error = Assert.Single(errors);
        Assert.Equal(JsonLinesCaseParser.MaxCases + 1, error.Line);
        Assert.Contains("More than", error.Message, StringComparison.Ordinal);
    }

    private static string Lines(int count)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            builder.Append("{\"i\": ").Append(i).Append("}\n");
        }

        return builder.ToString();
    }

    private static (int Cases, int Errors) Counts((IReadOnlyList<CaseInput> Cases, IReadOnlyList<CaseParseError> Errors) result) =>
        (result.Cases.Count, result.Errors.Count);
}

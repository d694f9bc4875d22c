using System.Diagnostics;
using Edison.Core.Checks;

namespace Edison.Core.Tests.Checks;

public sealed class CheckRunnerTests
{
    private const string PersonSchema = """
        {"type": "object", "required": ["name", "age"],
         "properties": {"name": {"type": "string", "minLength": 1}, "age": {"type": "integer", "minimum": 0}}}
        """;

    private static CheckResult RunOne(CheckSpec spec, string text, int latencyMs = 100, decimal costUsd = 0.001m) =>
        Assert.Single(CheckRunner.Run([spec], new OutputFacts(text, latencyMs, costUsd)));

    [Fact]
    public void Run_ContainsWithDifferentCase_Passes()
    {
        var result = RunOne(new CheckSpec("contains", "refund"), "You are due a REFUND of $20.");

        Assert.True(result.Passed, result.Detail);
        Assert.Equal("contains \"refund\"", result.Name);
        Assert.Equal("contains", result.Kind);
        Assert.Contains("character 15", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ContainsAbsentText_FailsSayingSo()
    {
        var result = RunOne(new CheckSpec("contains", "refund"), "We cannot help.");

        Assert.False(result.Passed);
        Assert.Equal("\"refund\" does not appear in the output.", result.Detail);
    }

    [Fact]
    public void Run_NotContainsPresentTextInOtherCase_Fails()
    {
        var result = RunOne(new CheckSpec("not_contains", "As an AI"), "as an ai language model, I cannot.");

        Assert.False(result.Passed);
        Assert.Contains("Found", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_NotContainsAbsentText_Passes()
    {
        Assert.True(RunOne(new CheckSpec("not_contains", "As an AI"), "Here is your answer.").Passed);
    }

    [Fact]
    public void Run_RegexMatching_PassesAndShowsTheMatch()
    {
        var result = RunOne(new CheckSpec("regex", @"order #\d{5}"), "Your order #12345 has shipped.");

        Assert.True(result.Passed, result.Detail);
        Assert.Contains("order #12345", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_RegexNotMatching_Fails()
    {
        Assert.False(RunOne(new CheckSpec("regex", @"order #\d{5}"), "Your order #123 has shipped.").Passed);
    }

    [Fact]
    public void Run_CatastrophicRegex_FailsWithTimeoutReasonInsteadOfHanging()
    {
        var text = new string('a', 40) + "!";
        var watch = Stopwatch.StartNew();

        var result = RunOne(new CheckSpec("regex", "^(a+)+$"), text);

        Assert.False(result.Passed);
        Assert.Contains("longer than 1 s", result.Detail, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    // Issue 18, finding 1: JsonSchema.Net built `pattern` regexes without a timeout; "^(a+)+$" on 29 characters took 18 s and
    // doubled per character. Each schema below hides the pattern in another place the library builds a regex from.
    [Theory]
    [InlineData("""{"type": "object", "properties": {"code": {"type": "string", "pattern": "^(a+)+$"}}}""", """{"code": "AAAA"}""")]
    [InlineData("""{"type": "object", "patternProperties": {"^(a+)+$": {"type": "string"}}}""", """{"AAAA": "x"}""")]
    [InlineData("""{"$defs": {"c": {"type": "string", "pattern": "^(a+)+$"}}, "type": "object", "properties": {"code": {"$ref": "#/$defs/c"}}}""", """{"code": "AAAA"}""")]
    [InlineData("""{"$schema": "http://json-schema.org/draft-07/schema#", "type": "array", "items": {"pattern": "^(a+)+$"}}""", """["AAAA"]""")]
    public async Task Run_HostileSchemaPattern_StopsAtTheTimeoutInsteadOfHanging(string schema, string template)
    {
        var output = template.Replace("AAAA", new string('a', 40) + "!", StringComparison.Ordinal);
        var watch = Stopwatch.StartNew();

        // Bounded from outside: without a regex timeout the evaluation cannot be cancelled, so the test stops waiting instead.
        var result = await Task.Run(() => RunOne(new CheckSpec("json_schema", schema), output)).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.False(result.Passed);
        Assert.Contains("ran longer than 1 s", result.Detail, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Run_SchemaPatternOnOrdinaryText_StillMatches()
    {
        var schema = """{"type": "object", "properties": {"code": {"type": "string", "pattern": "^[A-Z]{3}-\\d+$"}}}""";

        Assert.True(RunOne(new CheckSpec("json_schema", schema), """{"code": "ABC-12"}""").Passed);
        Assert.False(RunOne(new CheckSpec("json_schema", schema), """{"code": "abc-12"}""").Passed);
    }

    [Fact]
    public void Run_RegexThatDoesNotCompile_FailsAsSetUpWrongly()
    {
        var result = RunOne(new CheckSpec("regex", "(unclosed"), "anything");

        Assert.False(result.Passed);
        Assert.StartsWith("The check is set up wrongly: the pattern does not compile", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"a": [1, 2, {"b": null}]}""")]
    [InlineData("42")]
    [InlineData("  [\"x\"]  \n")]
    public void Run_ValidJson_Passes(string text)
    {
        var result = RunOne(new CheckSpec("valid_json"), text);

        Assert.True(result.Passed, result.Detail);
        Assert.Equal("Valid JSON.", result.Detail);
    }

    [Theory]
    [InlineData("{\"a\": 1,}")]
    [InlineData("Sure! {\"a\": 1}")]
    [InlineData("")]
    [InlineData("{'a': 1}")]
    public void Run_InvalidJson_FailsWithParserReason(string text)
    {
        var result = RunOne(new CheckSpec("valid_json"), text);

        Assert.False(result.Passed);
        Assert.StartsWith("Not valid JSON: ", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("```json\n{\"a\": 1}\n```")]
    [InlineData("```\n{\"a\": 1}\n```")]
    [InlineData("  ```JSON\n{\"a\": 1}\n```\n")]
    public void Run_ValidJsonInsideFence_PassesAndSaysTheFenceWasStripped(string text)
    {
        var result = RunOne(new CheckSpec("valid_json"), text);

        Assert.True(result.Passed, result.Detail);
        Assert.Contains("fence, which was stripped", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_JsonInsideAPythonFence_IsNotUnwrapped()
    {
        Assert.False(RunOne(new CheckSpec("valid_json"), "```python\n{\"a\": 1}\n```").Passed);
    }

    [Fact]
    public void Run_JsonSchemaSatisfied_Passes()
    {
        var result = RunOne(new CheckSpec("json_schema", PersonSchema), """{"name": "Ada", "age": 36}""");

        Assert.True(result.Passed, result.Detail);
        Assert.Equal("Matches the schema.", result.Detail);
    }

    [Fact]
    public void Run_JsonSchemaSatisfiedInsideFence_PassesAndSaysSo()
    {
        var result = RunOne(new CheckSpec("json_schema", PersonSchema), "```json\n{\"name\": \"Ada\", \"age\": 36}\n```");

        Assert.True(result.Passed, result.Detail);
        Assert.Contains("fence, which was stripped", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_JsonSchemaMissingRequiredProperty_FailsNamingIt()
    {
        var result = RunOne(new CheckSpec("json_schema", PersonSchema), """{"name": "Ada"}""");

        Assert.False(result.Passed);
        Assert.StartsWith("Does not match the schema: ", result.Detail, StringComparison.Ordinal);
        Assert.Contains("age", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_JsonSchemaWrongType_FailsNamingTheLocation()
    {
        var result = RunOne(new CheckSpec("json_schema", PersonSchema), """{"name": "Ada", "age": "thirty-six"}""");

        Assert.False(result.Passed);
        Assert.Contains("/age", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type": "string", "enum": ["yes", "no"]}""", "\"maybe\"")]
    [InlineData("""{"type": "array", "items": {"type": "integer"}}""", "[1, \"two\"]")]
    [InlineData("""{"type": "string", "maxLength": 3}""", "\"toolong\"")]
    public void Run_JsonSchemaKeywordViolated_Fails(string schema, string text)
    {
        Assert.False(RunOne(new CheckSpec("json_schema", schema), text).Passed);
    }

    [Fact]
    public void Run_JsonSchemaOnTextThatIsNotJson_FailsSayingItIsNotJson()
    {
        var result = RunOne(new CheckSpec("json_schema", PersonSchema), "Ada, 36");

        Assert.False(result.Passed);
        Assert.StartsWith("Not valid JSON, so the schema could not be applied", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_SchemaWithANestedRefToNothing_FailsSayingTheSchemaCouldNotBeApplied()
    {
        const string Schema = """{"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}}""";

        var result = RunOne(new CheckSpec("json_schema", Schema), """{"a": 1}""");

        Assert.False(result.Passed);
        Assert.Equal("The schema could not be applied: Could not resolve 'https://edison.invalid/schema.json#/$defs/missing'.", result.Detail);
    }

    [Fact]
    public void Run_TwoSchemasWithTheSameId_EachJudgesByItsOwnRules()
    {
        const string Strings = """{"$id": "https://edison.test/answer", "type": "string"}""";
        const string Numbers = """{"$id": "https://edison.test/answer", "type": "number"}""";

        var results = CheckRunner.Run([new CheckSpec("json_schema", Strings), new CheckSpec("json_schema", Numbers)], new OutputFacts("7", 1, 0m));

        Assert.Equal([false, true], results.Select(r => r.Passed));
    }

    [Theory]
    [InlineData("abcde", true)]
    [InlineData("abcd", false)]
    [InlineData("abcdefghijk", false)]
    [InlineData("abcdefghij", true)]
    public void Run_LengthBetween_InclusiveBounds(string text, bool passes)
    {
        Assert.Equal(passes, RunOne(new CheckSpec("length_between", Min: 5, Max: 10), text).Passed);
    }

    [Fact]
    public void Run_LengthBetween_CountsAnEmojiAsOneCharacter()
    {
        var result = RunOne(new CheckSpec("length_between", Max: 3), "ok👍");

        Assert.True(result.Passed, result.Detail);
        Assert.Equal("3 characters; allowed at most 3.", result.Detail);
    }

    [Theory]
    [InlineData(2000, true)]
    [InlineData(2001, false)]
    public void Run_MaxLatency_InclusiveLimit(int latencyMs, bool passes)
    {
        var result = RunOne(new CheckSpec("max_latency_ms", Max: 2000), "x", latencyMs: latencyMs);

        Assert.Equal(passes, result.Passed);
        Assert.Contains($"{latencyMs} ms", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.01", true)]
    [InlineData("0.0101", false)]
    public void Run_MaxCost_InclusiveLimit(string cost, bool passes)
    {
        var result = RunOne(new CheckSpec("max_cost_usd", Max: 0.01), "x", costUsd: decimal.Parse(cost, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(passes, result.Passed);
        Assert.Contains($"${cost}", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_UnknownKind_FailsWithoutThrowing()
    {
        var result = RunOne(new CheckSpec("sentiment", "positive"), "Great!");

        Assert.False(result.Passed);
        Assert.Contains("Unknown check kind", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_KindInOtherCase_IsRunAndReportedCanonically()
    {
        var result = RunOne(new CheckSpec(" Contains ", "hi"), "hi there");

        Assert.True(result.Passed);
        Assert.Equal("contains", result.Kind);
    }

    [Fact]
    public void Run_SeveralSpecs_ResultsInSpecOrder()
    {
        CheckSpec[] specs = [new("contains", "a", Name: "first"), new("valid_json", Name: "second"), new("max_latency_ms", Max: 5, Name: "third")];

        var results = CheckRunner.Run(specs, new OutputFacts("abc", 10, 0m));

        Assert.Equal(["first", "second", "third"], results.Select(r => r.Name));
        Assert.Equal([true, false, false], results.Select(r => r.Passed));
    }
}

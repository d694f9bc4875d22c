using System.Text.Json;
using Edison.Core.Experiments;
using Edison.Core.Llm.Local;
using Edison.Core.Llm.Structured;
using Edison.Core.Refining;

namespace Edison.Core.Tests.Llm;

public sealed class StructuredCallsTests
{
    // Keywords OpenAI's strict mode refuses, and those Anthropic's SDK moves into the description (so they carry no rule).
    private static readonly string[] Unreliable =
        ["minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems", "oneOf", "allOf", "not", "uniqueItems", "patternProperties"];

    private static readonly Rubric Rubric = new(
    [
        new RubricCriterion("Accuracy", "Correct.", 0.5, 1, 5, new Dictionary<int, string> { [1] = "wrong", [5] = "right" }),
        new RubricCriterion("Tone & style", "Friendly.", 0.5, 0, 10, new Dictionary<int, string>()),
    ]);

    private static readonly PromptFields Prompt = new("Be terse.", "Q: {{ question }}", []);

    public static TheoryData<string> Schemas => [.. All().Keys];

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Schema_EveryEntry_FitsStrictModeEverywhere(string name)
    {
        var problems = new List<string>();
        Walk(All()[name], "#", problems);

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void PointwiseVerdict_Schema_NamesEachCriterionWithItsScaleAsAnEnum()
    {
        var scores = StructuredCalls.PointwiseVerdict(Rubric).Schema.GetProperty("properties").GetProperty("scores");

        Assert.Equal(["Accuracy", "Tone___style"], scores.GetProperty("required").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal([1, 2, 3, 4, 5], Scale(scores, "Accuracy"));
        Assert.Equal(Enumerable.Range(0, 11), Scale(scores, "Tone___style"));
    }

    [Fact]
    public void PointwiseVerdict_ValidAnswer_ReadsEveryCriterionByItsName()
    {
        var (verdict, error) = StructuredCalls.PointwiseVerdict(Rubric).Parse("""
            {"reasoning":"r","scores":{"Accuracy":{"rationale":"a","score":4},"Tone___style":{"rationale":"t","score":9}},"suggestions":["s"],"safetyFlags":[]}
            """);

        Assert.Null(error);
        Assert.Equal([("Accuracy", 4), ("Tone & style", 9)], verdict!.Scores.Select(s => (s.Criterion, s.Score)));
    }

    [Fact]
    public void PointwiseVerdict_ScoreOffTheScale_FailsWithThePathInWords()
    {
        var (verdict, error) = StructuredCalls.PointwiseVerdict(Rubric).Parse("""
            {"reasoning":"r","scores":{"Accuracy":{"rationale":"a","score":7},"Tone___style":{"rationale":"t","score":9}},"suggestions":[],"safetyFlags":[]}
            """);

        Assert.Null(verdict);
        Assert.Contains("$.scores.Accuracy.score is 7, not one of 1, 2, 3, 4, 5", error, StringComparison.Ordinal);
    }

    [Fact]
    public void PointwiseVerdict_OlderListShape_IsStillRead()
    {
        var (verdict, error) = StructuredCalls.PointwiseVerdict(Rubric).Parse("""
            {"reasoning":"r","scores":[{"criterion":"Accuracy","score":4,"rationale":"a"},{"criterion":"Tone & style","score":2,"rationale":"t"}]}
            """);

        Assert.Null(error);
        Assert.Equal(2, verdict!.Scores.Count);
    }

    [Fact]
    public void AssistOptions_BlankOption_FailsNamingIt()
    {
        var (value, error) = StructuredCalls.AssistOptions().Parse("""{"option1":"a","option2":"  ","option3":"c"}""");

        Assert.Null(value);
        Assert.Contains("$.option2 is blank", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AssistOptions_TwoEqualOptions_Fail()
    {
        var (value, error) = StructuredCalls.AssistOptions().Parse("""{"option1":"a","option2":"a","option3":"c"}""");

        Assert.Null(value);
        Assert.Contains("same", error, StringComparison.Ordinal);
    }

    [Fact]
    public void GeneratedCases_EmptyVariable_FailsAndExtraPropertyFails()
    {
        var call = StructuredCalls.GeneratedCases(["question"], 1);
        const string Case = "\"expectedOutput\":null,\"tags\":[],\"difficulty\":\"easy\",\"persona\":null,\"scenario\":null";

        var (_, empty) = call.Parse("{\"case1\":{\"variables\":{\"question\":\"\"}," + Case + "}}");
        var (_, extra) = call.Parse("{\"case1\":{\"variables\":{\"question\":\"q\"}," + Case + "},\"case2\":{}}");
        var (ok, none) = call.Parse("{\"case1\":{\"variables\":{\"question\":\"q\"}," + Case + "}}");

        Assert.Contains("$.case1.variables.question is blank", empty, StringComparison.Ordinal);
        Assert.Contains("\"case2\", which the schema does not allow", extra, StringComparison.Ordinal);
        Assert.Null(none);
        Assert.Equal("q", Assert.Single(ok!.Cases).Variables["question"]);
    }

    [Fact]
    public void SeedPrompt_TemplateWithoutTheVariable_GetsItAppended()
    {
        var (seed, error) = StructuredCalls.SeedPrompt(Rubric, ["question"]).Parse("""
            {"systemText":"s","template":"Answer well.","techniques":{"Accuracy":{"technique":"t","why":"w"},"Tone___style":{"technique":"t2","why":"w"}}}
            """);

        Assert.Null(error);
        Assert.EndsWith("{{ question }}", seed!.Template, StringComparison.Ordinal);
        Assert.Equal(["Accuracy", "Tone & style"], seed.Techniques.Select(t => t.Criterion));
    }

    [Fact]
    public void Options_AnyEntry_SetsTheFormatAndStrictMode()
    {
        var call = StructuredCalls.PairwiseVerdict();

        var options = call.Options(new Microsoft.Extensions.AI.ChatOptions { Temperature = 0 });

        Assert.Same(call.Format, options.ResponseFormat);
        Assert.Equal(true, options.AdditionalProperties![StructuredCall<Edison.Core.Judging.PairwiseVerdict>.StrictKey]);
        Assert.Equal(0, options.Temperature);
    }

    [Fact]
    public void Grammar_NonBlankString_CannotStartWithABlank()
    {
        var grammar = JsonSchemaGbnf.Convert(StructuredCalls.AssistOptions().Schema);

        Assert.Contains("""root-option1 ::= "\"" [^"\\\x7F\x00-\x20] char{0,199} "\"" """.TrimEnd(), grammar, StringComparison.Ordinal);
    }

    private static IEnumerable<int> Scale(JsonElement scores, string key) =>
        scores.GetProperty("properties").GetProperty(key).GetProperty("properties").GetProperty("score").GetProperty("enum").EnumerateArray().Select(e => e.GetInt32());

    private static Dictionary<string, JsonElement> All() => new()
    {
        ["pointwise"] = StructuredCalls.PointwiseVerdict(Rubric).Schema,
        ["pairwise"] = StructuredCalls.PairwiseVerdict().Schema,
        ["options"] = StructuredCalls.AssistOptions().Schema,
        ["improve"] = StructuredCalls.AssistImprove().Schema,
        ["rubric"] = StructuredCalls.Rubric().Schema,
        ["seed"] = StructuredCalls.SeedPrompt(Rubric, []).Schema,
        ["seed-variables"] = StructuredCalls.SeedPrompt(Rubric, ["question"]).Schema,
        ["cases"] = StructuredCalls.GeneratedCases(["question", "context"], 3).Schema,
        ["diagnosis"] = StructuredCalls.RefinerDiagnosis(Rubric).Schema,
        ["plan"] = StructuredCalls.RefinerPlan(Rubric).Schema,
        ["edits"] = StructuredCalls.RefinerEdits(Prompt).Schema,
        ["critique"] = StructuredCalls.RefinerCritique().Schema,
    };

    private static void Walk(JsonElement node, string path, List<string> problems)
    {
        foreach (var keyword in Unreliable.Where(k => node.TryGetProperty(k, out _)))
        {
            problems.Add($"{path}: '{keyword}' cannot carry a rule");
        }

        if (node.TryGetProperty("properties", out var properties))
        {
            if (!node.TryGetProperty("additionalProperties", out var closed) || closed.ValueKind != JsonValueKind.False)
            {
                problems.Add($"{path}: additionalProperties is not false");
            }

            var required = node.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(e => e.GetString()).ToHashSet() : [];
            foreach (var property in properties.EnumerateObject())
            {
                if (!required.Contains(property.Name))
                {
                    problems.Add($"{path}/{property.Name}: not required");
                }

                if (!System.Text.RegularExpressions.Regex.IsMatch(property.Name, "^[a-zA-Z0-9_.-]{1,64}$"))
                {
                    problems.Add($"{path}/{property.Name}: not a key every provider accepts");
                }

                Walk(property.Value, $"{path}/properties/{property.Name}", problems);
            }
        }

        if (node.TryGetProperty("items", out var items))
        {
            Walk(items, $"{path}/items", problems);
        }

        if (node.TryGetProperty("anyOf", out var variants))
        {
            foreach (var variant in variants.EnumerateArray())
            {
                Walk(variant, $"{path}/anyOf", problems);
            }
        }
    }
}

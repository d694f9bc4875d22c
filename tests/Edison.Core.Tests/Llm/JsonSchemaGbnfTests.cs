using System.Text.Json;
using System.Text.Json.Nodes;
using Edison.Core.Judging;
using Edison.Core.Llm.Local;
using Microsoft.Extensions.AI;

namespace Edison.Core.Tests.Llm;

public sealed class JsonSchemaGbnfTests
{
    private static readonly string[] VerdictKeys = ["reasoning", "scores", "suggestions", "safetyFlags"];

    private const string CharRule = """char ::= [^"\\\x7F\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4})""";

    [Fact]
    public void Convert_ObjectOfStringAndSmallInteger_WritesKeysInOrderAndEnumeratesTheRange()
    {
        var grammar = JsonSchemaGbnf.Convert(Schema("""
            {"type":"object","properties":{"name":{"type":"string","maxLength":10},"score":{"type":"integer","minimum":1,"maximum":5}},
             "required":["name","score"]}
            """));

        Assert.Equal(Lines(
            """root ::= "{" ws "\"name\":" ws root-name ws "," ws "\"score\":" ws root-score ws "}" """.TrimEnd(),
            """root-name ::= "\"" char{0,10} "\"" """.TrimEnd(),
            """root-score ::= "1" | "2" | "3" | "4" | "5" """.TrimEnd(),
            """ws ::= " "?""",
            CharRule), grammar);
    }

    [Fact]
    public void Convert_StringWithoutMaxLength_IsBoundedByTheLimit()
    {
        var grammar = JsonSchemaGbnf.Convert(Schema("""{"type":"string"}"""), new JsonSchemaGbnfLimits { MaxStringLength = 42 });

        Assert.StartsWith("""root ::= "\"" char{0,42} "\"" """.TrimEnd() + "\n", grammar, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_ArrayWithItemBounds_RepeatsTheItemBetweenMinAndMax()
    {
        var grammar = JsonSchemaGbnf.Convert(Schema("""{"type":"array","items":{"type":"boolean"},"minItems":1,"maxItems":3}"""));

        Assert.Equal(Lines(
            """root ::= "[" ws root-item ws ("," ws root-item ws){0,2} "]" """.TrimEnd(),
            """root-item ::= "true" | "false" """.TrimEnd(),
            """ws ::= " "?"""), grammar);
    }

    [Fact]
    public void Convert_UnboundedArray_IsOptionalAndCappedByTheLimit()
    {
        var grammar = JsonSchemaGbnf.Convert(Schema("""{"type":"array","items":{"type":"null"}}"""), new JsonSchemaGbnfLimits { MaxArrayItems = 4 });

        Assert.StartsWith("""root ::= "[" ws (root-item ws ("," ws root-item ws){0,3})? "]" """.TrimEnd() + "\n", grammar, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_IntegerAndNumberWithoutBounds_AllowSignAndBoundedDigits()
    {
        var grammar = JsonSchemaGbnf.Convert(Schema("""
            {"type":"object","properties":{"i":{"type":"integer"},"n":{"type":"number","minimum":0}}}
            """), new JsonSchemaGbnfLimits { MaxIntegerDigits = 4, MaxFractionDigits = 2 });

        Assert.Contains("""root-i ::= "-"? ("0" | [1-9] [0-9]{0,3})""" + "\n", grammar, StringComparison.Ordinal);
        Assert.Contains("""root-n ::= ("0" | [1-9] [0-9]{0,3}) ("." [0-9]{1,2})?""" + "\n", grammar, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_EnumNullableTypeAndRef_WritesLiteralsAlternativesAndOneRuleForTheRef()
    {
        var grammar = JsonSchemaGbnf.Convert(Schema("""
            {"type":"object","properties":{
              "level":{"enum":["low","say \"hi\""]},
              "note":{"type":["string","null"],"maxLength":3},
              "a":{"$ref":"#/$defs/point"},"b":{"$ref":"#/$defs/point"}},
             "$defs":{"point":{"type":"object","properties":{"x":{"type":"integer","minimum":0,"maximum":2}}}}}
            """));

        Assert.Contains("""root-level ::= "\"low\"" | "\"say \\\"hi\\\"\"" """.TrimEnd() + "\n", grammar, StringComparison.Ordinal);
        Assert.Contains("""root-note ::= ("\"" char{0,3} "\"") | ("null")""" + "\n", grammar, StringComparison.Ordinal);
        Assert.Contains("""ws "\"a\":" ws root-a ws "," ws "\"b\":" ws root-a ws""", grammar, StringComparison.Ordinal);
        Assert.Single(grammar.Split('\n'), l => l.StartsWith("root-a ::=", StringComparison.Ordinal));
        Assert.Contains("""root-a-x ::= "0" | "1" | "2" """.TrimEnd() + "\n", grammar, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"x":{}}}""")]
    [InlineData("""{"type":"array"}""")]
    [InlineData("""{"type":"object","properties":{"x":{"$ref":"https://example.com/s.json"}}}""")]
    public void Convert_UnboundableSchema_ThrowsNotSupported(string schema) =>
        Assert.Throws<NotSupportedException>(() => JsonSchemaGbnf.Convert(Schema(schema)));

    [Fact]
    public void Convert_PointwiseVerdictSchemaFromMeai_CoversEveryPropertyInDeclaredOrder()
    {
        var schema = AIJsonUtilities.CreateJsonSchema(typeof(PointwiseVerdict));

        var grammar = JsonSchemaGbnf.Convert(schema);

        var root = grammar.Split('\n')[0];
        var keys = VerdictKeys.Select(k => root.IndexOf($"\"\\\"{k}\\\":\"", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.All(keys, k => Assert.True(k > 0, root));
        Assert.Equal(keys.Order(), keys);
        var item = grammar.Split('\n').Single(l => l.StartsWith("root-scores-item ::=", StringComparison.Ordinal));
        Assert.Contains("criterion", item, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("rationale", item, StringComparison.OrdinalIgnoreCase);
        Assert.Matches("""root-scores-item-score ::= "-"\? \("0" \| \[1-9\] \[0-9\]\{0,8\}\)""", grammar);
    }

    [Fact]
    public void Convert_OneCriterionRubricSchema_PinsTheCriterionAndTheScoreRange()
    {
        var grammar = JsonSchemaGbnf.Convert(OneCriterionVerdictSchema("clarity"));

        Assert.Contains("""root-scores ::= "[" ws root-scores-item ws ("," ws root-scores-item ws){0,0} "]" """.TrimEnd() + "\n", grammar, StringComparison.Ordinal);
        Assert.Contains("""root-scores-item-criterion ::= "\"clarity\"" """.TrimEnd() + "\n", grammar, StringComparison.Ordinal);
        Assert.Contains("""root-scores-item-score ::= "1" | "2" | "3" | "4" | "5" """.TrimEnd() + "\n", grammar, StringComparison.Ordinal);
    }

    /// What a judge for a one-criterion rubric sends: M.E.AI's schema for the verdict, narrowed to that rubric.
    internal static JsonElement OneCriterionVerdictSchema(string criterion)
    {
        var node = JsonNode.Parse(AIJsonUtilities.CreateJsonSchema(typeof(PointwiseVerdict)).GetRawText())!;
        var scores = node["properties"]!["scores"]!;
        scores["minItems"] = 1;
        scores["maxItems"] = 1;
        var item = scores["items"]!["properties"]!;
        item["criterion"] = new JsonObject { ["enum"] = new JsonArray(criterion) };
        item["score"]!["minimum"] = 1;
        item["score"]!["maximum"] = 5;
        return JsonSerializer.SerializeToElement(node);
    }

    private static JsonElement Schema(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static string Lines(params string[] lines) => string.Join('\n', lines) + "\n";
}

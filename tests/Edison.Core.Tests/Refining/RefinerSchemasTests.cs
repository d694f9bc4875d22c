using System.Text.Json;
using Edison.Core.Llm.Local;
using Edison.Core.Refining;

namespace Edison.Core.Tests.Refining;

public sealed class RefinerSchemasTests
{
    private static readonly PromptFields Source = new(
        "You are terse.\r\n  Never guess.  \n\n",
        "Context: {{ context }}\nAnswer briefly: {{ question }}\nAnswer briefly: {{ question }}",
        [new FewShotExample("What is \"2+2\"?", "4")]);

    [Fact]
    public void Edits_AnchorEnumsHoldEachFieldsExactLines()
    {
        var variants = Variants(RefinerSchemas.Edits(Source));

        Assert.Equal(["system", "template", "few_shot_input", "few_shot_output"], variants.Select(v => Single(v, "field")));
        Assert.Equal(["You are terse.", "  Never guess.  "], Enum(variants[0], "anchor"));
        Assert.Equal(["Context: {{ context }}", "Answer briefly: {{ question }}"], Enum(variants[1], "anchor"));
        Assert.Equal(["What is \"2+2\"?"], Enum(variants[2], "anchor"));
        Assert.Equal(["4"], Enum(variants[3], "anchor"));
        Assert.Equal("null", variants[0].GetProperty("properties").GetProperty("fewShotIndex").GetProperty("type").GetString());
        Assert.Equal(0, variants[3].GetProperty("properties").GetProperty("fewShotIndex").GetProperty("enum")[0].GetInt32());
        Assert.All(variants, v => Assert.Equal(["insert_after", "replace", "insert_before", "delete"], Enum(v, "operation")));
    }

    [Fact]
    public void Edits_EveryAnchorLineOccursInItsField()
    {
        var variants = Variants(RefinerSchemas.Edits(Source));
        var fields = new[] { Source.SystemText, Source.Template, Source.FewShots[0].Input, Source.FewShots[0].Output };

        for (var i = 0; i < fields.Length; i++)
        {
            Assert.All(Enum(variants[i], "anchor"), line => Assert.Contains(line, fields[i], StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Edits_EmptyFieldsGetNoVariant()
    {
        var variants = Variants(RefinerSchemas.Edits(new PromptFields("", "{{ question }}", [])));

        Assert.Equal("template", Single(Assert.Single(variants), "field"));
    }

    [Fact]
    public void Edits_ConvertsToAGrammarThatListsTheAnchors()
    {
        var grammar = JsonSchemaGbnf.Convert(RefinerSchemas.Edits(Source));

        Assert.StartsWith("root ::= ", grammar, StringComparison.Ordinal);
        Assert.Contains("\"\\\"Context: {{ context }}\\\"\"", grammar, StringComparison.Ordinal);
        Assert.Contains("root-edit-2-anchor ::= \"\\\"What is \\\\\\\"2+2\\\\\\\"?\\\"\"\n", grammar, StringComparison.Ordinal);
        Assert.Contains("\"\\\"few_shot_output\\\"\"", grammar, StringComparison.Ordinal);
        Assert.Contains("\"\\\"insert_after\\\"\"", grammar, StringComparison.Ordinal);
    }

    [Fact]
    public void Edits_IsAValidSchemaForChatResponseFormat()
    {
        var format = Microsoft.Extensions.AI.ChatResponseFormat.ForJsonSchema(RefinerSchemas.Edits(Source), "RefinerEdits", "Edits.");

        Assert.Equal("RefinerEdits", format.SchemaName);
    }

    private static List<JsonElement> Variants(JsonElement schema) =>
        schema.GetProperty("properties").GetProperty("edit").GetProperty("anyOf").EnumerateArray().ToList();

    [Fact]
    public void Edits_FirstEditIsARequiredPropertyAndFurtherEditsShareItsShape()
    {
        var schema = RefinerSchemas.Edits(Source);

        Assert.Equal(["edit", "moreEdits", "note"], schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(schema.GetProperty("properties").GetProperty("edit").GetRawText(),
            schema.GetProperty("properties").GetProperty("moreEdits").GetProperty("items").GetRawText());
        Assert.False(schema.GetProperty("properties").GetProperty("moreEdits").TryGetProperty("minItems", out _));
    }

    private static List<string> Enum(JsonElement variant, string property) =>
        variant.GetProperty("properties").GetProperty(property).GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).ToList();

    private static string Single(JsonElement variant, string property) => Assert.Single(Enum(variant, property));
}

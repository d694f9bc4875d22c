using Edison.Core.Runs;
using Microsoft.Extensions.AI;

namespace Edison.Core.Tests.Runs;

public sealed class PromptOutputShapeTests
{
    [Fact]
    public void ResponseFormat_NamedSchema_UsesNameAndSchema()
    {
        var format = Assert.IsType<ChatResponseFormatJson>(PromptOutputShape.ResponseFormat(
            """{"name": "Answer", "description": "The answer.", "schema": {"type": "object"}}"""));

        Assert.Equal(("Answer", "The answer.", "object"), (format.SchemaName, format.SchemaDescription, format.Schema?.GetProperty("type").GetString()));
    }

    [Fact]
    public void ResponseFormat_BareSchema_NamedOutput()
    {
        var format = Assert.IsType<ChatResponseFormatJson>(PromptOutputShape.ResponseFormat("""{"type": "object", "properties": {}}"""));

        Assert.Equal("Output", format.SchemaName);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("[]")]
    public void ResponseFormat_NoObject_Null(string? json) => Assert.Null(PromptOutputShape.ResponseFormat(json));

    [Fact]
    public void Tools_OpenAIAndPlainShapes_DeclarationsWithTheirSchemas()
    {
        var tools = PromptOutputShape.Tools("""
            [{"type": "function", "function": {"name": "lookup", "description": "Finds.", "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}},
             {"name": "now"}, {"description": "no name is skipped"}]
            """);

        Assert.NotNull(tools);
        var declarations = tools.Cast<AIFunctionDeclaration>().ToList();
        Assert.Equal(["lookup", "now"], declarations.Select(d => d.Name));
        Assert.Equal("Finds.", declarations[0].Description);
        Assert.Contains("\"q\"", declarations[0].JsonSchema.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("object", declarations[1].JsonSchema.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("{\"a\": 1}", "{\"a\": 1}")]
    [InlineData("```json\n{\"a\": 1}\n```", "{\"a\": 1}")]
    [InlineData("not json", null)]
    [InlineData("{\"a\": ", null)]
    public void ParsedJson_Text_JsonOrNull(string text, string? expected) => Assert.Equal(expected, PromptOutputShape.ParsedJson(text));
}

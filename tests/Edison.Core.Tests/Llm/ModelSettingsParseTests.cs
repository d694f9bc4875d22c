using Edison.Core.Llm;
using Microsoft.Extensions.AI;

namespace Edison.Core.Tests.Llm;

public sealed class ModelSettingsParseTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("{}")]
    public void Parse_EmptyParameters_Default(string? json) => Assert.Equal(ModelSettings.Default, ModelSettings.Parse(json));

    [Fact]
    public void Parse_AllKnownKeys_ReadsEachOne()
    {
        var settings = ModelSettings.Parse("""{"temperature": 0.3, "maxOutputTokens": 800, "reasoningEffort": "high", "thinkingBudgetTokens": 2048}""");

        Assert.Equal(new ModelSettings(0.3f, 800, ReasoningEffort.High, 2048), settings);
    }

    [Theory]
    [InlineData("none", ReasoningEffort.None)]
    [InlineData("Low", ReasoningEffort.Low)]
    [InlineData("MEDIUM", ReasoningEffort.Medium)]
    [InlineData("extra-high", ReasoningEffort.ExtraHigh)]
    public void Parse_ReasoningEffortAnyCase_MapsToTheEnum(string value, ReasoningEffort expected) =>
        Assert.Equal(expected, ModelSettings.Parse($$"""{"reasoningEffort": "{{value}}"}""").ReasoningEffort);

    [Fact]
    public void Parse_UnknownKeysAndNulls_IgnoredAndUnset()
    {
        var settings = ModelSettings.Parse("""{"topK": 5, "temperature": null, "seedNote": "x", "maxOutputTokens": 64}""");

        Assert.Equal(ModelSettings.Default with { MaxOutputTokens = 64 }, settings);
    }

    [Theory]
    [InlineData("""{"temperature": 2.5}""", "temperature")]
    [InlineData("""{"temperature": "hot"}""", "temperature")]
    [InlineData("""{"maxOutputTokens": 0}""", "maxOutputTokens")]
    [InlineData("""{"maxOutputTokens": 1.5}""", "maxOutputTokens")]
    [InlineData("""{"reasoningEffort": "maximum"}""", "reasoningEffort")]
    [InlineData("""{"reasoningEffort": 3}""", "reasoningEffort")]
    [InlineData("""{"thinkingBudgetTokens": 512}""", "thinkingBudgetTokens")]
    public void Parse_KnownKeyWithUnusableValue_ThrowsFormatExceptionNamingTheKey(string json, string key)
    {
        var ex = Assert.Throws<FormatException>(() => ModelSettings.Parse(json));

        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NotAnObject_ThrowsFormatException() => Assert.Throws<FormatException>(() => ModelSettings.Parse("[1, 2]"));
}

using Edison.Core.Assist;
using Edison.Core.Checks;

namespace Edison.Core.Tests.Assist;

public sealed class CheckSuggesterAssistTests
{
    [Fact]
    public void Suggest_GoalAsksForJsonWithFields_JsonSchemaRequiringThem()
    {
        var checks = CheckSuggester.Suggest("Classify the ticket and reply as JSON with fields category, priority and summary.");

        var check = Assert.Single(checks);
        Assert.Equal(CheckKinds.JsonSchema, check.Kind);
        Assert.Contains("\"required\": [\"category\", \"priority\", \"summary\"]", check.Value, StringComparison.Ordinal);
        Assert.Empty(CheckSpecValidation.Validate([check]));
    }

    [Fact]
    public void Suggest_FormatWords_ValidJsonLengthListDateAndPhrases()
    {
        var checks = CheckSuggester.Suggest(
            "Return JSON. Keep it under 50 words, as bullet points, dates in YYYY-MM-DD; must mention \"refund policy\" and never mention \"lawsuit\".");

        Assert.Equal([CheckKinds.ValidJson, CheckKinds.LengthBetween, CheckKinds.Regex, CheckKinds.Regex, CheckKinds.Contains, CheckKinds.NotContains],
            checks.Select(c => c.Kind));
        Assert.Equal(350, checks[1].Max);
        Assert.Equal(("refund policy", "lawsuit"), (checks[4].Value, checks[5].Value));
    }

    [Fact]
    public void Suggest_GoalWithoutFormat_NoChecks()
    {
        Assert.Empty(CheckSuggester.Suggest("Write a friendly reply to the customer."));
    }

    [Fact]
    public void SeedPromptMetaPrompt_V1_EmbeddedAndNamesTheTechniques()
    {
        var text = AssistService.SeedPromptMetaPromptText;

        Assert.Equal("v1", AssistService.SeedPromptMetaPromptVersion);
        foreach (var technique in new[] { "Role", "Task decomposition", "Explicit output format", "Step-by-step reasoning", "Few-shot" })
        {
            Assert.Contains(technique, text, StringComparison.Ordinal);
        }
    }
}

using System.Diagnostics;
using System.Text.Json;
using Edison.Core.Llm;
using Edison.Core.Prompts;
using Microsoft.Extensions.AI;

namespace Edison.Core.Tests.Prompts;

/// Finding 4 of issue 14: a template render is bounded in steps, output and time, a prompt that passes a limit is refused at save
/// time with the reason, and token counting is linear in a word's length.
public sealed class HostileTemplateTests
{
    [Fact]
    public void HostileTemplate_LiteralRangeLoop_StopsAtTheStepLimitInWords()
    {
        Assert.True(PromptTemplate.TryParse("{% for i in (1..2000000) %}x{% endfor %}", out var template, out _));
        var clock = Stopwatch.StartNew();

        var ex = Assert.Throws<TemplateLimitException>(() => template!.Render(new Dictionary<string, JsonElement>()));

        Assert.Contains("steps", ex.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void HostileTemplate_LoopOverACaseValue_FailsThatRenderInWords()
    {
        Assert.True(PromptTemplate.TryParse("{% for i in (1..n) %}{{ i }}{% endfor %}", out var template, out _));
        var values = new Dictionary<string, JsonElement> { ["n"] = JsonDocument.Parse("150000").RootElement };

        Assert.False(template!.TryRender(values, out var rendered, out var error));

        Assert.Null(rendered);
        Assert.Contains($"{TemplateLimits.MaxSteps:N0} steps", error, StringComparison.Ordinal);
    }

    [Fact]
    public void HostileTemplate_StringDoubledByAssign_StopsAtTheOutputCap()
    {
        Assert.True(PromptTemplate.TryParse(
            "{% assign s = 'xxxxxxxx' %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}", out var template, out _));

        Assert.False(template!.TryRender(new Dictionary<string, JsonElement>(), out _, out var error));

        Assert.Contains($"longer than {TemplateLimits.MaxOutputChars:N0} characters", error, StringComparison.Ordinal);
    }

    [Fact]
    public void HostileTemplate_HugeOutput_StopsAtTheOutputCap()
    {
        Assert.True(PromptTemplate.TryParse("{% for i in (1..20000) %}{{ text }}{% endfor %}", out var template, out _));
        var values = new Dictionary<string, JsonElement> { ["text"] = JsonSerializer.SerializeToElement(new string('y', 1000)) };

        Assert.False(template!.TryRender(values, out _, out var error));

        Assert.Contains("characters", error, StringComparison.Ordinal);
    }

    [Fact]
    public void HostileTemplate_RefusedAtSaveTime_WithTheReason()
    {
        Assert.False(PromptTemplate.TryParseForSave("Answer {{ q }}{% for i in (1..2000000) %} {% endfor %}", out var template, out var error));

        Assert.Null(template);
        Assert.Contains("steps", error, StringComparison.Ordinal);
        Assert.True(PromptTemplate.TryParseForSave("Answer {{ q }}{% for ex in examples %}{{ ex.q }}{% endfor %}", out _, out _));
    }

    [Fact]
    public void HostileTokens_OneLongWord_CountsInLinearTime()
    {
        var estimator = new TiktokenEstimator();
        // Warm the encoder so its load is not timed.
        estimator.EstimateInputTokens([new ChatMessage(ChatRole.User, "warm up")], null);
        var word = string.Concat(Enumerable.Range(0, 200_000).Select(i => (char)('a' + (i * 7 % 26))));
        var spaces = new string(' ', 200_000);
        var clock = Stopwatch.StartNew();

        var tokens = estimator.EstimateInputTokens([new ChatMessage(ChatRole.User, word), new ChatMessage(ChatRole.User, spaces)], null);

        var elapsed = clock.Elapsed;
        // Before the pieces, byte-pair merging took 81 s here (quadratic in the word's length).
        Assert.InRange(elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        // A letter-soup word encodes at roughly 2–5 characters a token.
        Assert.InRange(tokens, 200_000 / 6, 200_000 / 1);
    }
}

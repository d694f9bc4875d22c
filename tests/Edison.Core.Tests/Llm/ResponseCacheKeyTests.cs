using Edison.Core.Llm;
using Microsoft.Extensions.AI;

namespace Edison.Core.Tests.Llm;

public sealed class ResponseCacheKeyTests
{
    private static readonly LlmCallSpec Spec = new(Guid.Parse("0190a000-0000-7000-8000-000000000001"),
        Guid.Parse("0190a000-0000-7000-8000-000000000002"), "gpt-4o-mini", "execute");

    [Fact]
    public void Compute_SameCallBuiltTwice_SameKey()
    {
        var first = ResponseCacheKey.Compute(Spec, Prompt("hi"), new ChatOptions { Temperature = 0.5f, Seed = 3 });
        var second = ResponseCacheKey.Compute(Spec with { }, Prompt("hi"), new ChatOptions { Temperature = 0.5f, Seed = 3 });

        Assert.Equal(first, second);
        Assert.Matches("^[0-9a-f]{64}$", first);
    }

    [Fact]
    public void Compute_AnyAnswerChangingInputDiffers_DifferentKey()
    {
        var options = new ChatOptions { Temperature = 0.5f, Seed = 3, MaxOutputTokens = 100 };
        var baseline = ResponseCacheKey.Compute(Spec, Prompt("hi"), options);
        string[] variants =
        [
            ResponseCacheKey.Compute(Spec with { SampleIndex = 1 }, Prompt("hi"), options),
            ResponseCacheKey.Compute(Spec with { CredentialId = Guid.NewGuid() }, Prompt("hi"), options),
            ResponseCacheKey.Compute(Spec with { Model = "gpt-4o" }, Prompt("hi"), options),
            ResponseCacheKey.Compute(Spec with { Purpose = "judge" }, Prompt("hi"), options),
            ResponseCacheKey.Compute(Spec, Prompt("hi!"), options),
            ResponseCacheKey.Compute(Spec, Prompt("hi"), new ChatOptions { Temperature = 0.6f, Seed = 3, MaxOutputTokens = 100 }),
            ResponseCacheKey.Compute(Spec, Prompt("hi"), new ChatOptions { Temperature = 0.5f, Seed = 4, MaxOutputTokens = 100 }),
            ResponseCacheKey.Compute(Spec, Prompt("hi"), new ChatOptions { Temperature = 0.5f, Seed = 3, MaxOutputTokens = 101 }),
            ResponseCacheKey.Compute(Spec, Prompt("hi"), new ChatOptions
            {
                Temperature = 0.5f, Seed = 3, MaxOutputTokens = 100, ResponseFormat = ChatResponseFormat.Json,
            }),
            ResponseCacheKey.Compute(Spec, Prompt("hi"), null),
        ];

        Assert.All(variants, v => Assert.NotEqual(baseline, v));
        Assert.Equal(variants.Length, variants.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Compute_CallKeyOrBypassDiffers_SameKey()
    {
        var baseline = ResponseCacheKey.Compute(Spec, Prompt("hi"), null);

        Assert.Equal(baseline, ResponseCacheKey.Compute(Spec with { CallKey = "exec:1", BypassCache = true }, Prompt("hi"), null));
    }

    private static List<ChatMessage> Prompt(string text) => [new(ChatRole.System, "You are terse."), new(ChatRole.User, text)];
}

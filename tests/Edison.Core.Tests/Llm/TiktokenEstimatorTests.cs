using Edison.Core.Llm;
using Microsoft.Extensions.AI;

namespace Edison.Core.Tests.Llm;

public sealed class TiktokenEstimatorTests
{
    private readonly TiktokenEstimator _estimator = new();

    [Fact]
    public void EstimateInputTokens_OneShortMessage_IsItsO200kTokensPlusFraming()
    {
        // "Hello world" is two o200k tokens: "Hello" and " world".
        var estimate = _estimator.EstimateInputTokens([new ChatMessage(ChatRole.User, "Hello world")], null);

        Assert.Equal(TiktokenEstimator.ReplyPriming + TiktokenEstimator.PerMessageOverhead + 2, estimate);
    }

    [Fact]
    public void EstimateInputTokens_LongerConversation_CountsEveryMessage()
    {
        ChatMessage[] one = [new(ChatRole.User, "Summarise the support case in one sentence.")];
        ChatMessage[] two = [new(ChatRole.System, "You are terse."), .. one];

        var single = _estimator.EstimateInputTokens(one, null);
        var systemOnly = _estimator.EstimateInputTokens([two[0]], null);
        var both = _estimator.EstimateInputTokens(two, null);

        Assert.InRange(single, 10, 20);
        // The reply priming is counted once per request, every message's own tokens and framing once each.
        Assert.Equal(single + systemOnly - TiktokenEstimator.ReplyPriming, both);
    }

    [Fact]
    public void EstimateInputTokens_JsonSchemaFormat_CountsTheSchema()
    {
        ChatMessage[] messages = [new(ChatRole.User, "Judge this")];

        var plain = _estimator.EstimateInputTokens(messages, null);
        var structured = _estimator.EstimateInputTokens(messages,
            new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema<Verdict>() });

        Assert.True(structured > plain + 10, $"The schema added only {structured - plain} tokens.");
    }

    private sealed record Verdict(int Score, string Rationale);
}

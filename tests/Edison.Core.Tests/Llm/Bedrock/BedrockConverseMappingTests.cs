using System.Text.Json;
using Edison.Core.Llm.Providers.Bedrock;
using Microsoft.Extensions.AI;

namespace Edison.Core.Tests.Llm.Bedrock;

public sealed class BedrockConverseMappingTests
{
    [Fact]
    public void RequestBody_SystemUserAssistantAndOptions_MapToConverseFields()
    {
        ChatMessage[] messages =
        [
            new(ChatRole.System, "Be terse."), new(ChatRole.User, "a"), new(ChatRole.User, "b"), new(ChatRole.Assistant, "c"), new(ChatRole.User, "d"),
        ];
        var options = new ChatOptions { MaxOutputTokens = 50, Temperature = 0.5f, TopP = 0.9f, StopSequences = ["END"] };

        var body = BedrockConverseChatClient.RequestBody(messages, options);

        Assert.Equal("Be terse.", body["system"]![0]!["text"]!.GetValue<string>());
        var turns = body["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "user"], turns.Select(t => t!["role"]!.GetValue<string>()));
        Assert.Equal(["a", "b"], turns[0]!["content"]!.AsArray().Select(c => c!["text"]!.GetValue<string>()));
        Assert.Equal(50, body["inferenceConfig"]!["maxTokens"]!.GetValue<int>());
        Assert.Equal(0.5, body["inferenceConfig"]!["temperature"]!.GetValue<float>(), 3);
        Assert.Equal(0.9, body["inferenceConfig"]!["topP"]!.GetValue<float>(), 3);
        Assert.Equal("END", body["inferenceConfig"]!["stopSequences"]![0]!.GetValue<string>());
    }

    [Fact]
    public void RequestBody_JsonSchemaFormat_ForcesOneToolWhoseInputIsTheSchema()
    {
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"score":{"type":"integer"}}}""").RootElement;

        var body = BedrockConverseChatClient.RequestBody([new(ChatRole.User, "x")],
            new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "verdict") });

        Assert.Equal("verdict", body["toolConfig"]!["toolChoice"]!["tool"]!["name"]!.GetValue<string>());
        Assert.Equal("verdict", body["toolConfig"]!["tools"]![0]!["toolSpec"]!["name"]!.GetValue<string>());
        Assert.NotNull(body["toolConfig"]!["tools"]![0]!["toolSpec"]!["inputSchema"]!["json"]!["properties"]!["score"]);
        Assert.Null(body["system"]);
        Assert.Null(body["inferenceConfig"]);
    }

    [Theory]
    [InlineData("end_turn", "stop")]
    [InlineData("stop_sequence", "stop")]
    [InlineData("max_tokens", "length")]
    [InlineData("content_filtered", "content_filter")]
    [InlineData("guardrail_intervened", "content_filter")]
    [InlineData("something_new", "something_new")]
    public void FinishReason_StopReason_MapsToChatFinishReason(string stopReason, string expected) =>
        Assert.Equal(expected, BedrockConverseChatClient.FinishReason(stopReason)?.Value);
}

using Microsoft.Extensions.AI;

namespace Edison.Core.Llm;

/// Estimates a request's input tokens before it is sent, for the tokens-per-minute limit of its credential.
internal interface ITokenEstimator
{
    int EstimateInputTokens(IEnumerable<ChatMessage> messages, ChatOptions? options);
}

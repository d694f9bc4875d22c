using Microsoft.Extensions.AI;

namespace Edison.Core.Llm;

/// <summary>One call as a chunk prepares it: who pays and why, the messages and the options.</summary>
public sealed record LlmRequest(LlmCallSpec Spec, IList<ChatMessage> Messages, ChatOptions? Options);

/// <summary>
/// What <see cref="LlmGateway.ResolveWithoutProviderAsync"/> made of one request: its result when no provider call was
/// needed, otherwise the spec to call with (marked when the cache was already looked up, so the call does not look again).
/// </summary>
public readonly record struct LlmPreResolved(LlmResult? Result, LlmCallSpec CallSpec);

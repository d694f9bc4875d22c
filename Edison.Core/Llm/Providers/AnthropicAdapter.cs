using Anthropic;
using Anthropic.Core;
using Anthropic.Models.Messages;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Edison.Core.Llm.Providers;

/// Anthropic's Messages API.
internal sealed class AnthropicAdapter(IOptions<LlmOptions> options) : IProviderAdapter
{
    // The Messages API requires max_tokens; this is the cap when the model config sets none.
    internal const int DefaultMaxOutputTokens = 4096;

    public string Provider => ProviderKinds.Anthropic;

    public IChatClient Create(ProviderCredential credential, string model, ModelSettings settings)
    {
        var clientOptions = new ClientOptions
        {
            ApiKey = credential.ApiKey,
            // The SDK retries 429 and 5xx twice by default; Edison retries once, in the gateway.
            MaxRetries = 0,
            Timeout = options.Value.AttemptTimeout,
            Handlers = [new RetryAfterHandler()],
        };
        if (credential.BaseUrl is not null)
        {
            // The SDK joins paths onto the base URL itself; a trailing slash would double it.
            clientOptions.BaseUrl = credential.BaseUrl.ToString().TrimEnd('/');
        }

        if (credential.Headers.Count > 0)
        {
            clientOptions.ExtraHeaders = credential.Headers;
        }

        var maxOutputTokens = settings.MaxOutputTokens ?? DefaultMaxOutputTokens;
        if (settings.ThinkingBudgetTokens is { } budget)
        {
            // max_tokens must exceed the thinking budget, or the API refuses the request.
            maxOutputTokens = Math.Max(maxOutputTokens, budget + 1024);
        }

        var client = new AnthropicClient(clientOptions).AsIChatClient(model, maxOutputTokens);
        if (settings.ThinkingBudgetTokens is not { } thinking)
        {
            return client;
        }

        // ChatOptions has no thinking budget: it travels in the SDK's own request, which the adapter completes with the messages.
        var raw = new MessageCreateParams
        {
            Model = model,
            MaxTokens = maxOutputTokens,
            Messages = [],
            Thinking = new ThinkingConfigParam(new ThinkingConfigEnabled(thinking), null),
        };
        return client.AsBuilder().ConfigureOptions(o => o.RawRepresentationFactory ??= _ => raw).Build();
    }
}

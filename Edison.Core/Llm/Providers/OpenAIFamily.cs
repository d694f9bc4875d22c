using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Edison.Core.Llm.Providers;

/// The chat-completions client shared by OpenAI, OpenAI-compatible servers and Gemini's compatible endpoints (AI Studio and Vertex).
internal static class OpenAIFamily
{
    // One pool for every OpenAI-family client, with redirects off and the outbound policy checked on connect. The pipeline's
    // NetworkTimeout bounds each attempt, so the HttpClient's own timeout is off.
    private static readonly HttpClientPipelineTransport Transport = new(new HttpClient(Security.OutboundPolicy.Handler(() => true))
    {
        Timeout = Timeout.InfiniteTimeSpan,
    });

    public static IChatClient Create(ProviderCredential credential, string model, Uri? endpoint, TimeSpan attemptTimeout,
        PipelinePolicy? authentication = null)
    {
        var clientOptions = new OpenAIClientOptions
        {
            // The SDK's default retries 5xx with no delay; Edison's gateway owns retries.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = attemptTimeout,
            Transport = Transport,
        };
        if (endpoint is not null)
        {
            clientOptions.Endpoint = endpoint;
        }

        if (credential.Headers.Count > 0)
        {
            clientOptions.AddPolicy(new ExtraHeadersPolicy(credential.Headers), PipelinePosition.PerCall);
        }

        if (authentication is not null)
        {
            clientOptions.AddPolicy(authentication, PipelinePosition.BeforeTransport);
        }

        // Servers without auth still need a non-empty key for the SDK.
        var key = string.IsNullOrEmpty(credential.ApiKey) ? "none" : credential.ApiKey;
        return new OpenAIClient(new ApiKeyCredential(key), clientOptions).GetChatClient(model).AsIChatClient();
    }
}

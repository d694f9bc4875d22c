using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;

namespace Edison.Core.Llm;

internal sealed class ChatClientFactory(IOptions<LlmOptions> options) : IChatClientFactory
{
    public IChatClient Create(ProviderCredential credential, string model)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return credential.Provider switch
        {
            ProviderKinds.OpenAI or ProviderKinds.OpenAICompatible => CreateOpenAI(credential, model),
            _ => throw new NotSupportedException($"Provider '{credential.Provider}' is not available in this build."),
        };
    }

    private IChatClient CreateOpenAI(ProviderCredential credential, string model)
    {
        var clientOptions = new OpenAIClientOptions
        {
            // The SDK's default retries 5xx with no delay; Edison's gateway owns retries.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = options.Value.AttemptTimeout,
        };
        if (credential.BaseUrl is not null)
        {
            clientOptions.Endpoint = credential.BaseUrl;
        }

        // OpenAI-compatible servers without auth still need a non-empty key for the SDK.
        var key = string.IsNullOrEmpty(credential.ApiKey) ? "none" : credential.ApiKey;
        return new OpenAIClient(new ApiKeyCredential(key), clientOptions).GetChatClient(model).AsIChatClient()
            .AsBuilder()
            .UseOpenTelemetry(configure: c => c.EnableSensitiveData = options.Value.TraceContent)
            .Build();
    }
}

using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.AI.OpenAI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Edison.Core.Llm.Providers;

/// Azure OpenAI: the base URL is the resource endpoint and the model is the deployment name.
internal sealed class AzureOpenAIAdapter(IOptions<LlmOptions> options) : IProviderAdapter
{
    public string Provider => ProviderKinds.AzureOpenAI;

    public IChatClient Create(ProviderCredential credential, string model, ModelSettings settings)
    {
        var endpoint = credential.BaseUrl
            ?? throw new LlmCallException(LlmErrorClass.BadRequest, "An Azure OpenAI credential needs the resource endpoint as its base URL.");
        var clientOptions = new AzureOpenAIClientOptions
        {
            // Same pipeline as OpenAI's: its default retries 5xx with no delay, and Edison retries once, in the gateway.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = options.Value.AttemptTimeout,
        };
        if (credential.Headers.Count > 0)
        {
            clientOptions.AddPolicy(new ExtraHeadersPolicy(credential.Headers), PipelinePosition.PerCall);
        }

        return new AzureOpenAIClient(endpoint, new ApiKeyCredential(credential.ApiKey), clientOptions).GetChatClient(model).AsIChatClient();
    }
}

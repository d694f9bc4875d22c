using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Edison.Core.Llm.Providers;

/// OpenAI's own API (a base URL on the credential points it at a proxy).
internal sealed class OpenAIAdapter(IOptions<LlmOptions> options) : IProviderAdapter
{
    public string Provider => ProviderKinds.OpenAI;

    public IChatClient Create(ProviderCredential credential, string model, ModelSettings settings) =>
        OpenAIFamily.Create(credential, model, credential.BaseUrl, options.Value.AttemptTimeout);
}

using Edison.Core.Llm.Providers;
using Microsoft.Extensions.AI;

namespace Edison.Core.Llm.Local;

/// The <c>local</c> provider as the factory sees it: the GGUF named by the credential, loaded once per process.
internal sealed class LocalProviderAdapter(LocalModelCache cache) : IProviderAdapter
{
    public string Provider => LocalModelAdapter.Provider;

    public IChatClient Create(ProviderCredential credential, string model, ModelSettings settings) =>
        LocalModelAdapter.CreateRaw(credential, model, cache);
}

using Edison.Core.Llm;
using Edison.Core.Llm.Local;
using Microsoft.Extensions.AI;

namespace Edison.IntegrationTests.Llm;

/// <summary>
/// The production factory plus the <c>local</c> hook that ChatClientFactory gains on merge (kept out of that file here
/// because another branch is editing it).
/// </summary>
internal sealed class LocalModelAwareFactory(IChatClientFactory inner, LocalModelCache cache) : IChatClientFactory
{
    public IChatClient Create(ProviderCredential credential, string model) =>
        credential.Provider == LocalModelAdapter.Provider ? LocalModelAdapter.Create(credential, model, cache) : inner.Create(credential, model);
}

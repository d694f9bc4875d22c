using Microsoft.Extensions.AI;

namespace Edison.Core.Llm;

/// <summary>Builds the provider client for one credential and model; the gateway wraps it in Edison's pipeline.</summary>
public interface IChatClientFactory
{
    /// <summary>
    /// Creates a client whose own SDK retries are off (Edison retries once, in the gateway) and which applies
    /// <paramref name="settings"/> to every request.
    /// </summary>
    IChatClient Create(ProviderCredential credential, string model, ModelSettings settings);
}

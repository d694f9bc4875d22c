using Microsoft.Extensions.AI;

namespace Edison.Core.Llm.Providers;

/// Builds the raw client of one provider kind, with the SDK's own retries off and the attempt timeout applied.
internal interface IProviderAdapter
{
    /// The <c>provider_credentials.provider</c> value this adapter serves.
    string Provider { get; }

    IChatClient Create(ProviderCredential credential, string model, ModelSettings settings);
}

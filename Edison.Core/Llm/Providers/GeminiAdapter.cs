using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Edison.Core.Llm.Providers;

/// Google Gemini through its OpenAI-compatible endpoint: no native Gemini SDK is available to this build.
internal sealed class GeminiAdapter(IOptions<LlmOptions> options) : IProviderAdapter
{
    public static readonly Uri DefaultBaseUrl = new("https://generativelanguage.googleapis.com/v1beta/openai/");

    public string Provider => ProviderKinds.Gemini;

    public IChatClient Create(ProviderCredential credential, string model, ModelSettings settings) =>
        OpenAIFamily.Create(credential, model, credential.BaseUrl ?? DefaultBaseUrl, options.Value.AttemptTimeout);
}

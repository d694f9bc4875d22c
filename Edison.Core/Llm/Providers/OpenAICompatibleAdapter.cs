using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Edison.Core.Llm.Providers;

/// Any server speaking OpenAI's chat completions (vLLM, LM Studio, llama.cpp, OpenRouter, Groq…) at its own base URL.
internal sealed class OpenAICompatibleAdapter(IOptions<LlmOptions> options) : IProviderAdapter
{
    public string Provider => ProviderKinds.OpenAICompatible;

    public IChatClient Create(ProviderCredential credential, string model, ModelSettings settings) =>
        OpenAIFamily.Create(credential, model,
            credential.BaseUrl ?? throw new LlmCallException(LlmErrorClass.BadRequest, "An OpenAI-compatible credential needs a base URL."),
            options.Value.AttemptTimeout);
}

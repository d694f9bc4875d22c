namespace Edison.Core.Llm;

/// <summary>Provider identifiers stored in provider_credentials.provider.</summary>
public static class ProviderKinds
{
    /// <summary>OpenAI's own API.</summary>
    public const string OpenAI = "openai";

    /// <summary>Any server speaking OpenAI's chat-completions format at a custom base URL.</summary>
    public const string OpenAICompatible = "openai-compatible";

    /// <summary>Azure OpenAI: base URL = resource endpoint, model = deployment.</summary>
    public const string AzureOpenAI = "azure-openai";

    /// <summary>Anthropic's Messages API.</summary>
    public const string Anthropic = "anthropic";

    /// <summary>Google Gemini through its OpenAI-compatible endpoint.</summary>
    public const string Gemini = "gemini";

    /// <summary>An Ollama server.</summary>
    public const string Ollama = "ollama";
}

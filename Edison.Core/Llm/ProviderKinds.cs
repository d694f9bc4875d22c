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

    /// <summary>
    /// Amazon Bedrock's Converse API (any Bedrock model, Anthropic's included): key = <c>ACCESS_KEY_ID:SECRET_ACCESS_KEY</c>
    /// (optionally <c>:SESSION_TOKEN</c>), settings = <c>{"region": "us-east-1"}</c>.
    /// </summary>
    public const string Bedrock = "anthropic-bedrock";

    /// <summary>
    /// Gemini on Google Cloud Vertex AI through its OpenAI-compatible endpoint: key = a service-account JSON key,
    /// settings = <c>{"location": "us-central1", "project": "…"}</c> (the project defaults to the key's project_id).
    /// </summary>
    public const string Vertex = "vertex";

    /// <summary>An Ollama server.</summary>
    public const string Ollama = "ollama";
}

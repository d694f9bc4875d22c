namespace Edison.Core.Llm;

/// <summary>Provider identifiers stored in provider_credentials.provider.</summary>
public static class ProviderKinds
{
    /// <summary>OpenAI's own API.</summary>
    public const string OpenAI = "openai";

    /// <summary>Any server speaking OpenAI's chat-completions format at a custom base URL.</summary>
    public const string OpenAICompatible = "openai-compatible";
}

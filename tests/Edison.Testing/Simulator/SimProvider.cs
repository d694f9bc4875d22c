namespace Edison.Testing.Simulator;

/// <summary>The values of <see cref="SimRequest.Provider"/>.</summary>
public static class SimProvider
{
    public const string OpenAI = "openai";
    public const string AzureOpenAI = "azure-openai";
    public const string Anthropic = "anthropic";
    public const string Ollama = "ollama";
    public const string Bedrock = "bedrock";
    public const string Vertex = "vertex";
}

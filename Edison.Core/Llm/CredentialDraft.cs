namespace Edison.Core.Llm;

/// <summary>A new provider credential as a person enters it.</summary>
public sealed record CredentialDraft(string Name, string Provider, string? BaseUrl, string ApiKey)
{
    /// <summary>Provider-specific settings: <c>region</c> for Bedrock; <c>project</c> and <c>location</c> for Vertex.</summary>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }

    /// <summary>Keeps the key out of logs and exception messages that print the draft.</summary>
    public override string ToString() => $"{Provider} credential '{Name}'";
}

namespace Edison.Core.Llm;

/// <summary>A new provider credential as a person enters it.</summary>
public sealed record CredentialDraft(string Name, string Provider, string? BaseUrl, string ApiKey)
{
    /// <summary>Keeps the key out of logs and exception messages that print the draft.</summary>
    public override string ToString() => $"{Provider} credential '{Name}'";
}

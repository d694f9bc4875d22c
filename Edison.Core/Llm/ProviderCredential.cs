namespace Edison.Core.Llm;

/// <summary>A provider account with its decrypted key. Never rendered, logged or serialised.</summary>
public sealed record ProviderCredential(Guid Id, Guid ProjectId, string Provider, Uri? BaseUrl, string ApiKey)
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    /// <summary>Extra HTTP headers sent with every request (provider_credentials.headers).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = NoHeaders;

    /// <summary>Provider-specific settings such as a Bedrock region or a Vertex project (provider_credentials.settings).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = NoHeaders;

    /// <summary>Keeps the key out of logs and exception messages that print the record.</summary>
    public override string ToString() => $"{Provider} credential {Id}";
}

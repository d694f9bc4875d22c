using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Edison.Core.Llm.Providers.Vertex;

/// <summary>
/// Gemini on Vertex AI through Vertex's OpenAI-compatible endpoint, authenticated with OAuth2 tokens from a service-account key.
/// A credential's base URL replaces <c>https://{location}-aiplatform.googleapis.com</c> (a proxy, or the simulator in tests).
/// </summary>
internal sealed class VertexAdapter(IOptions<LlmOptions> options) : IProviderAdapter
{
    public const string ProjectSetting = "project";
    public const string LocationSetting = "location";
    public const string DefaultLocation = "us-central1";
    public const string Scope = "https://www.googleapis.com/auth/cloud-platform";

    // Clients are built per call; the token credential lives on so its cached token is reused until it expires.
    private readonly ConcurrentDictionary<string, ServiceAccountCredential> _tokens = new(StringComparer.Ordinal);

    public string Provider => ProviderKinds.Vertex;

    public IChatClient Create(ProviderCredential credential, string model, ModelSettings settings)
    {
        ArgumentNullException.ThrowIfNull(credential);
        var key = ServiceAccountKey.Parse(credential.ApiKey, out var problem)
            ?? throw new LlmCallException(LlmErrorClass.Unauthorized, problem ?? "The service-account key is invalid.");
        var project = credential.Settings.GetValueOrDefault(ProjectSetting) is { Length: > 0 } p ? p : key.ProjectId
            ?? throw new LlmCallException(LlmErrorClass.BadRequest, "A Vertex credential needs a project: in its settings or the key's project_id.");
        var location = credential.Settings.GetValueOrDefault(LocationSetting) is { Length: > 0 } l ? l : DefaultLocation;
        var tokens = _tokens.GetOrAdd(CacheKey(credential), _ => TokenCredential(key));
        return OpenAIFamily.Create(credential, model, Endpoint(credential.BaseUrl, project, location), options.Value.AttemptTimeout,
            new BearerTokenPolicy(tokens));
    }

    public static Uri Endpoint(Uri? baseUrl, string project, string location)
    {
        var root = baseUrl?.ToString().TrimEnd('/') ?? $"https://{location}-aiplatform.googleapis.com";
        return new Uri($"{root}/v1/projects/{Uri.EscapeDataString(project)}/locations/{Uri.EscapeDataString(location)}/endpoints/openapi");
    }

    // A rotated key gets a new entry: the hash of the key text is part of the cache key.
    private static string CacheKey(ProviderCredential credential) =>
        $"{credential.Id:N}:{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(credential.ApiKey)))}";

    private static ServiceAccountCredential TokenCredential(ServiceAccountKey key) =>
        new(new ServiceAccountCredential.Initializer(key.ClientEmail, key.TokenUri)
        {
            Scopes = [Scope],
            KeyId = key.PrivateKeyId,
            ProjectId = key.ProjectId,
        }.FromPrivateKey(key.PrivateKey));
}

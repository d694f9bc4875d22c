using System.Net.Http.Headers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OllamaSharp;

namespace Edison.Core.Llm.Providers;

/// A local or remote Ollama server (OllamaSharp never retries, so nothing needs switching off).
internal sealed class OllamaAdapter(IOptions<LlmOptions> options) : IProviderAdapter
{
    public static readonly Uri DefaultBaseUrl = new("http://localhost:11434");

    // One connection pool for every Ollama client: a handler per call would leak sockets, as clients are not disposed. Redirects
    // are off and every address is checked against the outbound policy when connecting (a credential is an admin's, so loopback
    // and private servers are allowed; metadata and link-local never).
    private static readonly SocketsHttpHandler SharedHandler = Security.OutboundPolicy.Handler(() => true);

    public string Provider => ProviderKinds.Ollama;

    public IChatClient Create(ProviderCredential credential, string model, ModelSettings settings)
    {
        var http = new HttpClient(new RetryAfterHandler(SharedHandler), disposeHandler: false)
        {
            BaseAddress = credential.BaseUrl ?? DefaultBaseUrl,
            Timeout = options.Value.AttemptTimeout,
        };
        if (!string.IsNullOrEmpty(credential.ApiKey))
        {
            // Ollama itself takes no key; proxies and hosted Ollama take a bearer token.
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", credential.ApiKey);
        }

        foreach (var (name, value) in credential.Headers)
        {
            http.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
        }

        return new OllamaApiClient(http, model);
    }
}

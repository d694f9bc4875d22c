using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edison.Testing.Simulator;

/// <summary>
/// A local HTTP server that speaks the OpenAI, Azure OpenAI, Anthropic, Ollama, Bedrock Converse and Vertex AI chat wire
/// formats (with a fake OAuth token endpoint for Vertex) and answers from per-tenant scripts, so the real clients can be
/// driven deterministically without a network.
/// </summary>
public sealed class ProviderSimulator : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, SimTenant> _tenants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SimTenant> _accessTokens = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    private ProviderSimulator(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
        OpenAIBaseUrl = new Uri(baseUrl, "v1");
        TokenUrl = new Uri(baseUrl, "token");
    }

    /// <summary>
    /// <c>{BaseUrl}token</c>: an OAuth2 token endpoint for service-account JWT grants. The tenant is the part of the JWT's
    /// <c>iss</c> (the service account's email) before the '@'; the issued token then names that tenant on Vertex requests.
    /// </summary>
    public Uri TokenUrl { get; }

    /// <summary>The server's root, <c>http://127.0.0.1:{port}/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary><c>{BaseUrl}v1</c>: the base URL of an OpenAI-compatible credential.</summary>
    public Uri OpenAIBaseUrl { get; }

    /// <summary>Starts a simulator on a free loopback port.</summary>
    public static async Task<ProviderSimulator> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            // A file watcher per host would use up the user's inotify instances across many test hosts.
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));

        var app = builder.Build();
        var simulator = default(ProviderSimulator);
        var routes = new (string Pattern, WireFormat Format)[]
        {
            ("/v1/chat/completions", new OpenAIWireFormat(SimProvider.OpenAI)),
            ("/openai/deployments/{deployment}/chat/completions", new OpenAIWireFormat(SimProvider.AzureOpenAI)),
            ("/v1/projects/{project}/locations/{location}/endpoints/openapi/chat/completions", new OpenAIWireFormat(SimProvider.Vertex)),
            ("/model/{modelId}/converse", new BedrockWireFormat()),
            ("/v1/messages", new AnthropicWireFormat()),
            ("/api/chat", new OllamaWireFormat()),
        };
        foreach (var (pattern, format) in routes)
        {
            app.MapPost(pattern, http => simulator!.HandleAsync(http, format));
        }

        app.MapPost("/token", http => simulator!.IssueTokenAsync(http));

        try
        {
            await app.StartAsync(cancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
                .Addresses.Single();
            var port = new Uri(address).Port;
            simulator = new ProviderSimulator(app, new Uri($"http://127.0.0.1:{port}/"));
            return simulator;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>A tenant with a fresh key, <c>sim-{guid}</c>.</summary>
    public SimTenant CreateTenant() => CreateTenant($"sim-{Guid.NewGuid()}");

    /// <summary>A tenant with the given key; the key must not be in use.</summary>
    public SimTenant CreateTenant(string apiKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        var tenant = new SimTenant(apiKey);
        return _tenants.TryAdd(apiKey, tenant)
            ? tenant
            : throw new InvalidOperationException($"A tenant with key '{apiKey}' already exists.");
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Ends scripted delays and stalls first, so shutdown does not wait for them.
        await _stopping.CancelAsync();
        using (var timeout = new CancellationTokenSource(ShutdownTimeout))
        {
            await _app.StopAsync(timeout.Token);
        }

        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext http, WireFormat format)
    {
        var arrivedAt = DateTimeOffset.UtcNow;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _stopping.Token);
        var cancellationToken = linked.Token;
        try
        {
            JsonObject? body;
            try
            {
                body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: cancellationToken) as JsonObject;
            }
            catch (JsonException)
            {
                body = null;
            }

            if (body is null)
            {
                await WriteErrorAsync(http, format, StatusCodes.Status400BadRequest, "The request body is not a JSON object.", cancellationToken);
                return;
            }

            if (format.AuthenticationProblem(http.Request) is { } problem)
            {
                await WriteErrorAsync(http, format, StatusCodes.Status403Forbidden, problem, cancellationToken);
                return;
            }

            var model = format.ReadModel(http.Request, body);
            var tenants = format.UsesIssuedTokens ? _accessTokens : _tenants;
            var tenant = format.TenantKeys(http.Request, model)
                .Select(key => tenants.GetValueOrDefault(key))
                .FirstOrDefault(t => t is not null);
            if (tenant is null)
            {
                await WriteErrorAsync(http, format, StatusCodes.Status401Unauthorized, "Unknown API key: no simulator tenant has it.", cancellationToken);
                return;
            }

            var request = new SimRequest(
                format.Provider,
                http.Request.Path.Value ?? string.Empty,
                model,
                tenant.ApiKey,
                body,
                arrivedAt,
                format.ReadStream(body),
                format.ReadSchemaName(body),
                format.ReadMessages(body))
            {
                Headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            };
            var step = tenant.Accept(request);
            await StepRunner.RunAsync(http, format, request, step, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client gave up or the simulator is stopping: nobody is left to answer.
        }
        catch (Exception ex) when (!http.Response.HasStarted)
        {
            // A broken script or fallback should fail the test with a readable message, not a bare 500.
            http.Response.Clear();
            await WriteErrorAsync(http, format, StatusCodes.Status500InternalServerError, $"Simulator error: {ex}", CancellationToken.None);
        }
    }

    private async Task IssueTokenAsync(HttpContext http)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var issuer = form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer" ? JwtIssuer(form["assertion"].ToString()) : null;
        var tenantKey = issuer?.Split('@')[0];
        if (tenantKey is null || !_tenants.TryGetValue(tenantKey, out var tenant))
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsJsonAsync(new { error = "invalid_grant", error_description = "No simulator tenant owns this service account." },
                http.RequestAborted);
            return;
        }

        var token = $"ya29.sim-{Guid.NewGuid():N}";
        _accessTokens[token] = tenant;
        tenant.TokenIssued();
        await http.Response.WriteAsJsonAsync(new Dictionary<string, object> { ["access_token"] = token, ["expires_in"] = 3600, ["token_type"] = "Bearer" },
            http.RequestAborted);
    }

    // The assertion's signature is not checked: the simulator holds no public keys, and the tenant is all it needs.
    private static string? JwtIssuer(string assertion)
    {
        var parts = assertion.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = JsonNode.Parse(Microsoft.AspNetCore.WebUtilities.Base64UrlTextEncoder.Decode(parts[1])) as JsonObject;
            return payload?["iss"]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    private static async Task WriteErrorAsync(HttpContext http, WireFormat format, int status, string message, CancellationToken cancellationToken)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(format.ErrorBody(status, message), cancellationToken);
    }
}

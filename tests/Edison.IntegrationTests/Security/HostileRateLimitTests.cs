extern alias web;
using System.Net;
using System.Net.Http.Headers;
using Dapper;
using Edison.Core;
using Edison.Core.Security;
using Edison.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Security;

/// The web app with small rate limits (and no override) behind a trusted proxy ("*"), on a database of its own.
public sealed class RateLimitedWebFixture : IAsyncLifetime
{
    public const int AddressLimit = 5;
    public const int ApiLimit = 5;

    private TestDatabase? _database;

    public WebApplicationFactory<web::Program> Factory { get; private set; } = null!;

    public TestDatabase Database => _database!;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        _database = await TestDatabase.CreateAsync(cts.Token);
        var redisPrefix = TestEnvironment.NewRedisPrefix();
        Factory = new WebApplicationFactory<web::Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting($"ConnectionStrings:{CoreRegistration.DatabaseConnectionName}", _database.ConnectionString);
            b.UseSetting($"ConnectionStrings:{CoreRegistration.RedisConnectionName}", TestEnvironment.RedisConnectionStringWithPrefix(redisPrefix));
            b.UseSetting("Edison:Redis:KeyPrefix", redisPrefix);
            b.UseSetting("Edison:SetupToken", TestSetup.Token);
            b.UseSetting("Edison:Security:AccountPermitLimit", "100");
            b.UseSetting("Edison:Security:AccountAddressPermitLimit", AddressLimit.ToString(System.Globalization.CultureInfo.InvariantCulture));
            b.UseSetting("Edison:Security:AccountWindow", "00:10:00");
            b.UseSetting("Edison:Security:ApiPermitLimit", ApiLimit.ToString(System.Globalization.CultureInfo.InvariantCulture));
            b.UseSetting("Edison:Security:ApiWindow", "00:10:00");
            b.UseSetting("Edison:Security:TrustedProxies:0", "*");
            b.UseSetting("hostBuilder:reloadConfigOnChange", "false");
        });

        using var owner = Client("198.51.100.1");
        var token = await SecureWebFixture.TokenAsync(owner, "/Setup", cts.Token);
        using var response = await owner.PostAsync("/Setup", SecureWebFixture.Form(token, ("Token", TestSetup.Token), ("Email", SecureWebFixture.OwnerEmail),
            ("Password", SecureWebFixture.Password), ("PublicSignUp", "true")), cts.Token);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Setup answered {(int)response.StatusCode}.");
        }
    }

    /// A client whose requests arrive through the proxy on behalf of <paramref name="address"/>.
    public HttpClient Client(string address, bool https = false)
    {
        var client = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        if (https)
        {
            client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        }

        return client;
    }

    public async Task DisposeAsync()
    {
        if (Factory is not null)
        {
            await Factory.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}

/// Issue 18, finding 7: sign-in was limited per e-mail and address only (spraying one password over many accounts from one
/// address was never slowed), nothing limited the API, and no forwarded headers were read (behind a proxy every client shared
/// one address, and the cookie was not Secure).
public sealed class HostileRateLimitTests(RateLimitedWebFixture web) : IClassFixture<RateLimitedWebFixture>
{
    [Fact]
    public async Task HostileRateLimit_SprayingAndApiFlood_AreSlowedPerForwardedClient_AndTheCookieIsSecureBehindTls()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        // One address tries one password on many accounts: every e-mail is new, so only a per-address limit can stop it.
        using var sprayer = web.Client("203.0.113.10");
        var token = await SecureWebFixture.TokenAsync(sprayer, "/Account/SignIn", cts.Token);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= RateLimitedWebFixture.AddressLimit; i++)
        {
            using var attempt = await sprayer.PostAsync("/Account/SignIn",
                SecureWebFixture.Form(token, ("Email", $"victim-{i}-{Guid.NewGuid():N}@example.test"), ("Password", "Summer2026!Summer")), cts.Token);
            statuses.Add(attempt.StatusCode);
        }

        Assert.All(statuses.Take(RateLimitedWebFixture.AddressLimit), s => Assert.NotEqual(HttpStatusCode.TooManyRequests, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);

        // Another client behind the same proxy is counted on its own.
        using var neighbour = web.Client("203.0.113.11", https: true);
        var neighbourToken = await SecureWebFixture.TokenAsync(neighbour, "/Account/SignIn", cts.Token);
        using (var signIn = await neighbour.PostAsync("/Account/SignIn", SecureWebFixture.Form(neighbourToken, ("Email", SecureWebFixture.OwnerEmail),
            ("Password", SecureWebFixture.Password)), cts.Token))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            // The proxy terminated TLS and said so: the auth cookie is Secure.
            var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("edison.auth=", StringComparison.Ordinal));
            Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        }

        // The API: a token's calls are counted, and the one past the limit is a problem document.
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        var ownerId = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM users WHERE is_instance_owner");
        var projectId = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM projects ORDER BY created_at LIMIT 1");
        var (_, apiToken) = await web.Factory.Services.GetRequiredService<ApiTokenService>()
            .CreateAsync(new Actor(ownerId), projectId, "flood", ProjectRole.Viewer, cts.Token);
        using var api = web.Client("203.0.113.12");
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiToken);
        for (var i = 0; i < RateLimitedWebFixture.ApiLimit; i++)
        {
            using var ok = await api.GetAsync("/api/v1/projects", cts.Token);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var limited = await api.GetAsync("/api/v1/projects", cts.Token);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
    }
}

extern alias web;
using System.Net;
using System.Text.RegularExpressions;
using Edison.Core;
using Edison.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Edison.IntegrationTests.Security;

/// The web app in process (WebApplicationFactory) on a migrated database of its own, set up with an owner, public sign-up open
/// so tests can make fresh users, a high account rate limit and a small lockout threshold.
public sealed partial class SecureWebFixture : IAsyncLifetime
{
    public const string OwnerEmail = "owner@security.test";
    public const string Password = "a long test passphrase";
    public const int MaxFailedAttempts = 3;

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
            b.UseSetting("Edison:Security:MaxFailedAccessAttempts", MaxFailedAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture));
            b.UseSetting("Edison:Security:AccountPermitLimit", "1000");
            // The matrix makes hundreds of calls from one address; RateLimitTests run the limits on a host of their own.
            b.UseSetting("Edison:Security:RateLimitsEnabled", "false");
            b.UseSetting("Edison:Security:SecurityStampValidationInterval", "00:00:00");
            b.UseSetting("hostBuilder:reloadConfigOnChange", "false");
        });

        using var owner = NewClient();
        var token = await TokenAsync(owner, "/Setup", cts.Token);
        using var response = await owner.PostAsync("/Setup", Form(token, ("Token", TestSetup.Token), ("Email", OwnerEmail), ("Password", Password), ("PublicSignUp", "true")),
            cts.Token);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Setup answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cts.Token)}");
        }
    }

    public HttpClient NewClient() => Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// A client signed in as a new user created through the sign-up page.
    public async Task<(HttpClient Client, Guid UserId)> SignUpAsync(string email, CancellationToken cancellationToken)
    {
        var client = NewClient();
        var token = await TokenAsync(client, "/Account/SignUp", cancellationToken);
        using var response = await client.PostAsync("/Account/SignUp", Form(token, ("Email", email), ("Password", Password)), cancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await using var connection = await Database.DataSource.OpenConnectionAsync(cancellationToken);
        var id = await Dapper.SqlMapper.ExecuteScalarAsync<Guid>(connection, "SELECT id FROM users WHERE normalized_email = upper(@email)",
            new { email });
        return (client, id);
    }

    public async Task<HttpClient> SignInAsync(string email, CancellationToken cancellationToken)
    {
        var client = NewClient();
        var token = await TokenAsync(client, "/Account/SignIn", cancellationToken);
        using var response = await client.PostAsync("/Account/SignIn", Form(token, ("Email", email), ("Password", Password)), cancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public static async Task<string> TokenAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        var html = await client.GetStringAsync(path, cancellationToken);
        var match = TokenPattern().Match(html);
        return match.Success ? match.Groups[1].Value : throw new InvalidOperationException($"No antiforgery token on {path}.");
    }

    public static FormUrlEncodedContent Form(string token, params (string Key, string Value)[] fields) =>
        new(fields.Select(f => KeyValuePair.Create(f.Key, f.Value)).Append(KeyValuePair.Create("__RequestVerificationToken", token)));

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

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}

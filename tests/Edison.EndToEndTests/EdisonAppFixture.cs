using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Edison.ServiceDefaults;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Playwright;

namespace Edison.EndToEndTests;

/// Starts the whole app through its AppHost (external infra: the servers CI gives us), on a database and Redis
/// channel prefix of its own, with the provider simulator standing in for every LLM provider. Unless a subclass says
/// otherwise, the first-run setup is completed and the owner's sign-in cookie is handed to every client and browser context.
public class EdisonAppFixture : IAsyncLifetime
{
    public const string OwnerEmail = "owner@edison.test";
    public const string OwnerPassword = "a long owner passphrase";
    public const string AuthCookieName = "edison.auth";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private DistributedApplication? _app;
    private TestDatabase? _database;

    public ProviderSimulator Simulator { get; private set; } = null!;

    public string DatabaseConnectionString { get; private set; } = "";

    public Uri WebUrl { get; private set; } = null!;

    /// The owner's authentication cookie value, once setup is done.
    public string? OwnerCookie { get; private set; }

    protected virtual bool CompletesSetup => true;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        // The AppHost's migrate step creates the database, as it does in production; the fixture only names and drops it.
        _database = TestDatabase.Reserve();
        DatabaseConnectionString = _database.ConnectionString;
        var redisPrefix = TestEnvironment.NewRedisPrefix();

        Simulator = await ProviderSimulator.StartAsync(cts.Token);
        var webPort = FreePort.Next();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Edison_AppHost>(
        [
            "--Edison:Infra=external",
            $"--ConnectionStrings:{ResourceNames.Database}={DatabaseConnectionString}",
            $"--ConnectionStrings:{ResourceNames.Redis}={TestEnvironment.RedisConnectionStringWithPrefix(redisPrefix)}",
            $"--Edison:Redis:KeyPrefix={redisPrefix}",
            $"--Edison:WebPort={webPort}",
            "--Edison:Security:RateLimitsEnabled=false",
            $"--Edison:SetupToken={TestSetup.Token}",
            "--DcpPublisher:WaitForResourceCleanup=false",
        ], cts.Token);
        _app = await builder.BuildAsync(cts.Token).WaitAsync(cts.Token);
        await _app.StartAsync(cts.Token).WaitAsync(cts.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.Web, cts.Token).WaitAsync(cts.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.Worker, cts.Token).WaitAsync(cts.Token);
        WebUrl = _app.GetEndpoint(ResourceNames.Web, "http");
        if (CompletesSetup)
        {
            OwnerCookie = await CompleteSetupAsync(cts.Token);
        }
    }

    /// A client signed in as the instance owner (when setup was completed).
    public HttpClient CreateWebClient()
    {
        var cookies = new System.Net.CookieContainer();
        if (OwnerCookie is not null)
        {
            cookies.Add(WebUrl, new System.Net.Cookie(AuthCookieName, OwnerCookie));
        }

        return new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = cookies }) { BaseAddress = WebUrl };
    }

    /// Signs a browser context in as the instance owner.
    public Task SignInOwnerAsync(IBrowserContext context) =>
        context.AddCookiesAsync([new Cookie { Name = AuthCookieName, Value = OwnerCookie ?? "", Url = WebUrl.GetLeftPart(UriPartial.Authority) }]);

    private async Task<string> CompleteSetupAsync(CancellationToken cancellationToken)
    {
        var cookies = new System.Net.CookieContainer();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies }) { BaseAddress = WebUrl };
        var token = await SkeletonIterationEndToEndTests.AntiforgeryTokenAsync(client, "/Setup", cancellationToken);
        using var response = await client.PostAsync("/Setup", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Token"] = TestSetup.Token, ["Email"] = OwnerEmail, ["Password"] = OwnerPassword,
        }), cancellationToken);
        if (response.StatusCode != System.Net.HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"First-run setup answered {(int)response.StatusCode}.");
        }

        return cookies.GetCookies(WebUrl)[AuthCookieName]?.Value ?? throw new InvalidOperationException("Setup set no sign-in cookie.");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await _app.DisposeAsync();
        }

        if (Simulator is not null)
        {
            await Simulator.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}

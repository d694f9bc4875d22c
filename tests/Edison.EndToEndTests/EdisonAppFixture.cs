using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Edison.ServiceDefaults;
using Edison.Testing;
using Edison.Testing.Simulator;

namespace Edison.EndToEndTests;

/// Starts the whole app through its AppHost (external infra: the servers CI gives us), on a database and Redis
/// channel prefix of its own, with the provider simulator standing in for every LLM provider.
public sealed class EdisonAppFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private DistributedApplication? _app;
    private TestDatabase? _database;

    public ProviderSimulator Simulator { get; private set; } = null!;

    public string DatabaseConnectionString { get; private set; } = "";

    public Uri WebUrl { get; private set; } = null!;

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
            "--DcpPublisher:WaitForResourceCleanup=false",
        ], cts.Token);
        _app = await builder.BuildAsync(cts.Token).WaitAsync(cts.Token);
        await _app.StartAsync(cts.Token).WaitAsync(cts.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.Web, cts.Token).WaitAsync(cts.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.Worker, cts.Token).WaitAsync(cts.Token);
        WebUrl = _app.GetEndpoint(ResourceNames.Web, "http");
    }

    public HttpClient CreateWebClient() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = WebUrl };

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

using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Edison.ServiceDefaults;
using Edison.Testing.Simulator;
using Npgsql;

namespace Edison.EndToEndTests;

/// Starts the whole app through its AppHost (external infra: the servers CI gives us), on a database and Redis
/// channel prefix of its own, with the provider simulator standing in for every LLM provider.
public sealed class EdisonAppFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private DistributedApplication? _app;

    public ProviderSimulator Simulator { get; private set; } = null!;

    public string DatabaseConnectionString { get; private set; } = "";

    public Uri WebUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var serverDb = Environment.GetEnvironmentVariable("ConnectionStrings__edisondb")
            ?? throw new InvalidOperationException("Set ConnectionStrings__edisondb to a PostgreSQL server (see README, Run the tests).");
        var redis = Environment.GetEnvironmentVariable("ConnectionStrings__redis")
            ?? throw new InvalidOperationException("Set ConnectionStrings__redis to a Redis server (see README, Run the tests).");
        var suffix = Guid.NewGuid().ToString("N");
        DatabaseConnectionString = new NpgsqlConnectionStringBuilder(serverDb) { Database = $"edison_t_{suffix}" }.ConnectionString;

        Simulator = await ProviderSimulator.StartAsync(cts.Token);
        var webPort = FreePort();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Edison_AppHost>(
        [
            "--Edison:Infra=external",
            $"--ConnectionStrings:{ResourceNames.Database}={DatabaseConnectionString}",
            $"--ConnectionStrings:{ResourceNames.Redis}={redis},channelPrefix=t{suffix}:",
            $"--Edison:Redis:KeyPrefix=t{suffix}:",
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

        if (DatabaseConnectionString.Length > 0)
        {
            var target = new NpgsqlConnectionStringBuilder(DatabaseConnectionString);
            var admin = new NpgsqlConnectionStringBuilder(DatabaseConnectionString) { Database = "postgres", Pooling = false };
            await using var connection = new NpgsqlConnection(admin.ConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{target.Database}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

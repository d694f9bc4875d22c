using Edison.Testing;
using Edison.Testing.Simulator;
using Edison.Worker.Scheduling;
using Microsoft.Extensions.Hosting;

namespace Edison.IntegrationTests.Support;

/// <summary>
/// The loop as deployed: a real worker process runs the jobs, and an in-process host plays the web app (Core plus a Quartz
/// client that only schedules), all on one database and Redis prefix of their own.
/// </summary>
public sealed class WorkerLoopFixture : IAsyncLifetime
{
    private TestDatabase? _database;
    private ProviderSimulator? _simulator;
    private WorkerProcess? _worker;
    private IHost? _host;

    public TestDatabase Database => _database ?? throw NotStarted();

    public ProviderSimulator Simulator => _simulator ?? throw NotStarted();

    public WorkerProcess Worker => _worker ?? throw NotStarted();

    public IServiceProvider Services => (_host ?? throw NotStarted()).Services;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        _database = await TestDatabase.CreateAsync(cts.Token);
        _simulator = await ProviderSimulator.StartAsync(cts.Token);
        var redis = TestEnvironment.RedisConnectionStringWithPrefix(TestEnvironment.NewRedisPrefix());
        // The per-credential cap above what the chunk threads can bring (6 bulk jobs × 4 calls): these tests hold slow calls
        // in flight on purpose, and under the default cap of 8 held calls could take every slot before the quick ones.
        _worker = WorkerProcess.Start(_database.ConnectionString, redis,
            new Dictionary<string, string>
            {
                ["Edison__Llm__MaxConcurrentCallsPerCredential"] = "24",
                // The regression tests' webhook receiver listens on plain-http loopback, which Production otherwise refuses.
                ["Edison__Webhooks__AllowPlainHttpLoopback"] = "true",
            });
        _host = await StartClientHostAsync(_database.ConnectionString, redis, cts.Token);
        await _worker.WaitHealthyAsync(cts.Token);
    }

    /// <summary>Core plus the Quartz client, as the web app registers them.</summary>
    public static async Task<IHost> StartClientHostAsync(string databaseConnectionString, string redisConnectionString,
        CancellationToken cancellationToken)
    {
        var builder = EdisonTestHost.CreateBuilder(databaseConnectionString, redisConnectionString);
        builder.Configuration["Edison:Webhooks:AllowPlainHttpLoopback"] = "true";
        builder.AddEdisonScheduler(runsJobs: false);
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return host;
    }

    public async Task DisposeAsync()
    {
        await EdisonTestHost.StopAndDisposeAsync(_host);

        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }

        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    private static InvalidOperationException NotStarted() => new("The fixture has not been initialised.");
}

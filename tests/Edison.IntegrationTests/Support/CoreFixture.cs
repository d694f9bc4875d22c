using Edison.Core.Jobs;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Edison.IntegrationTests.Support;

/// <summary>
/// Core's services in-process on a database of their own, with the provider simulator and a fast retry policy
/// (50 ms base delay, 3 attempts). Jobs are recorded, not run: the tests drive the job bodies themselves.
/// </summary>
public sealed class CoreFixture : IAsyncLifetime
{
    private TestDatabase? _database;
    private ProviderSimulator? _simulator;
    private IHost? _host;

    public TestDatabase Database => _database ?? throw NotStarted();

    public ProviderSimulator Simulator => _simulator ?? throw NotStarted();

    public IServiceProvider Services => (_host ?? throw NotStarted()).Services;

    public LogCollector Logs { get; } = new();

    public RecordingJobScheduler Jobs { get; } = new();

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _database = await TestDatabase.CreateAsync(cts.Token);
        _simulator = await ProviderSimulator.StartAsync(cts.Token);
        _host = await StartHostAsync([], cts.Token);
    }

    /// <summary>
    /// Another host on the fixture's database, with <paramref name="settings"/> over the fixture's own, for a test that needs
    /// a different policy (the caller disposes it). Its Redis channels and keys get a fresh prefix unless the settings name
    /// <c>Edison:Redis:KeyPrefix</c> (hosts that must share a rate limit pass the same one).
    /// </summary>
    public Task<IHost> StartHostAsync(IEnumerable<KeyValuePair<string, string?>> settings, CancellationToken cancellationToken) =>
        StartHostAsync(settings, null, cancellationToken);

    /// <summary>As the other overload, with <paramref name="redisConnectionString"/> (when given) as the Redis server.</summary>
    public Task<IHost> StartHostAsync(IEnumerable<KeyValuePair<string, string?>> settings, string? redisConnectionString,
        CancellationToken cancellationToken) => StartHostAsync(settings, redisConnectionString, null, cancellationToken);

    /// <summary>As the other overloads, with <paramref name="configureServices"/> applied last (a test-only seam).</summary>
    public async Task<IHost> StartHostAsync(IEnumerable<KeyValuePair<string, string?>> settings, string? redisConnectionString,
        Action<IServiceCollection>? configureServices, CancellationToken cancellationToken)
    {
        var merged = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Edison:Llm:BaseDelay"] = "00:00:00.050",
            ["Edison:Llm:MaxAttempts"] = "3",
            ["Edison:Redis:KeyPrefix"] = TestEnvironment.NewRedisPrefix(),
        };
        foreach (var (key, value) in settings)
        {
            merged[key] = value;
        }

        var builder = EdisonTestHost.CreateBuilder(Database.ConnectionString,
            redisConnectionString ?? TestEnvironment.RedisConnectionStringWithPrefix(merged["Edison:Redis:KeyPrefix"]!), merged, Logs);
        builder.Services.AddSingleton<IJobScheduler>(Jobs);
        configureServices?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return host;
    }

    public async Task DisposeAsync()
    {
        await EdisonTestHost.StopAndDisposeAsync(_host);

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

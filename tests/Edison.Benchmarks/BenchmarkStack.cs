using Edison.Testing;
using Npgsql;

namespace Edison.Benchmarks;

/// <summary>
/// What every benchmark stands on: a migrated database of its own, a Redis channel prefix of its own (so no run sees
/// another's events), a folder for the processes' logs, and the environment its worker and web processes share.
/// </summary>
internal sealed class BenchmarkStack : IAsyncDisposable
{
    private BenchmarkStack(BenchmarkSettings settings)
    {
        LogDirectory = Directory.CreateTempSubdirectory("edison-bench-").FullName;
        Redis = $"{settings.RedisConnectionString},channelPrefix=b{Guid.NewGuid():N}:";
        Database = new BenchmarkDatabase(settings.PostgresConnectionString);
    }

    public string LogDirectory { get; }

    public string Redis { get; }

    public BenchmarkDatabase Database { get; }

    public static async Task<BenchmarkStack> CreateAsync(BenchmarkSettings settings, CancellationToken cancellationToken)
    {
        var stack = new BenchmarkStack(settings);
        try
        {
            await WorkerProcess.MigrateAsync(stack.Database.ConnectionString, stack.LogDirectory, cancellationToken);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// The connection strings every process needs, then <paramref name="settings"/>.
    public Dictionary<string, string> Environment(IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__edisondb"] = Database.ConnectionString,
            ["ConnectionStrings__redis"] = Redis,
            ["Edison__SetupToken"] = TestSetup.Token,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return environment;
    }

    public Task<WorkerProcess> StartWorkerAsync(IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken) =>
        WorkerProcess.StartWorkerAsync(Environment(settings), LogDirectory, cancellationToken);

    /// The real web app, quiet below warnings.
    public Task<WorkerProcess> StartWebAppAsync(CancellationToken cancellationToken) =>
        WorkerProcess.StartWebAsync(Environment(new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" }), LogDirectory,
            cancellationToken);

    /// The web app's services in process (experiments, iterations, the Quartz client), on the same database and Redis.
    public Task<WebSide> StartWebSideAsync(CancellationToken cancellationToken) =>
        WebSide.StartAsync(Database.ConnectionString, Redis, cancellationToken);

    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(Database.ConnectionString);

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}

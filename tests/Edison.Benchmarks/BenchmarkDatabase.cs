using Npgsql;

namespace Edison.Benchmarks;

/// A database of the benchmark's own on the given server, so runs never see each other's or the developer's data.
internal sealed class BenchmarkDatabase : IAsyncDisposable
{
    private readonly string _maintenance;

    public BenchmarkDatabase(string serverConnectionString)
    {
        Name = $"edison_b_{Guid.NewGuid():N}";
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = Name }.ConnectionString;
        _maintenance = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        // Kept on request, to EXPLAIN ANALYZE the work queries against the rows a run left behind.
        if (Environment.GetEnvironmentVariable("EDISON_BENCH_KEEP_DB") == "1")
        {
            Console.WriteLine($"Database {Name} kept (EDISON_BENCH_KEEP_DB=1); drop it when done.");
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var connection = new NpgsqlConnection(_maintenance);
        await connection.OpenAsync(timeout.Token);
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync(timeout.Token);
    }
}

using Npgsql;

namespace Edison.Testing;

/// <summary>
/// A database of its own, <c>edison_t_{guid}</c>, on the server <see cref="TestEnvironment"/> names; dropped (with any
/// connections still open to it) on dispose.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private static readonly TimeSpan DropTimeout = TimeSpan.FromSeconds(30);
    private readonly Lazy<NpgsqlDataSource> _dataSource;

    private TestDatabase(string name)
    {
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(TestEnvironment.DatabaseConnectionString) { Database = name }.ConnectionString;
        _dataSource = new Lazy<NpgsqlDataSource>(() => NpgsqlDataSource.Create(ConnectionString));
    }

    /// <summary>The database's name.</summary>
    public string Name { get; }

    /// <summary>A connection string to the database.</summary>
    public string ConnectionString { get; }

    /// <summary>The test's own pool on the database, for setup and assertions.</summary>
    public NpgsqlDataSource DataSource => _dataSource.Value;

    /// <summary>Creates the database and migrates it exactly as production does: <c>dotnet Edison.Worker.dll migrate</c>.</summary>
    public static async Task<TestDatabase> CreateAsync(CancellationToken cancellationToken)
    {
        var database = Reserve();
        try
        {
            var (exitCode, output) = await WorkerProcess.RunMigrateAsync(database.ConnectionString, cancellationToken);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"Edison.Worker.dll migrate exited with {exitCode} for {database.Name}:\n{output}");
            }

            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>A fresh name only: nothing is created, so migrator tests can start from no database at all.</summary>
    public static TestDatabase Reserve() => new($"edison_t_{Guid.NewGuid():N}");

    public async ValueTask DisposeAsync()
    {
        if (_dataSource.IsValueCreated)
        {
            await _dataSource.Value.DisposeAsync();
        }

        using var timeout = new CancellationTokenSource(DropTimeout);
        var maintenance = new NpgsqlConnectionStringBuilder(TestEnvironment.DatabaseConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(timeout.Token);
        // The name is generated here (edison_t_ + hex), so quoting it is enough.
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync(timeout.Token);
    }
}

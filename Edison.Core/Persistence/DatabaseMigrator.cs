using System.Reflection;
using DbUp;
using DbUp.Engine;
using DbUp.Engine.Output;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Edison.Core.Persistence;

/// <summary>
/// Creates the database when missing and applies Edison's embedded SQL scripts (plus any the host supplies,
/// such as Quartz's schema) exactly once, serialised across processes by a PostgreSQL advisory lock.
/// </summary>
public sealed partial class DatabaseMigrator(ILogger<DatabaseMigrator> logger)
{
    /// <summary>The prefix every journaled script name carries; DbUp orders scripts by full name.</summary>
    public const string ScriptPrefix = "Edison.Core.Persistence.Migrations.";

    // Advisory locks are scoped to one database, so the lock is taken in the maintenance database,
    // keyed by the target's name: that also serialises concurrent CREATE DATABASE.
    private const long LockNamespace = 0x45_44_49_53_4F_4E; // "EDISON"

    /// <summary>Applies every pending script and returns the names of those applied.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(string connectionString, IEnumerable<SqlScript> extraScripts,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };

        await using var lockConnection = new NpgsqlConnection(maintenance.ConnectionString);
        await lockConnection.OpenAsync(cancellationToken);
        var key = LockNamespace ^ StableHash(target.Database ?? "");
        await using (var cmd = new NpgsqlCommand("SELECT pg_advisory_lock(@k)", lockConnection))
        {
            cmd.Parameters.AddWithValue("k", key);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            return await Task.Run(() => Upgrade(connectionString, extraScripts), cancellationToken);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@k)", lockConnection);
            unlock.Parameters.AddWithValue("k", key);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private List<string> Upgrade(string connectionString, IEnumerable<SqlScript> extraScripts)
    {
        var log = new DbUpLog(this);
        EnsureDatabase.For.PostgresqlDatabase(connectionString, log);
        var upgrader = DeployChanges.To.PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), name => name.StartsWith(ScriptPrefix, StringComparison.Ordinal))
            .WithScripts(extraScripts)
            .WithTransactionPerScript()
            .LogTo(log)
            .Build();

        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"Migration failed in script '{result.ErrorScript?.Name}': {result.Error.Message}", result.Error);
        }

        var applied = result.Scripts.Select(s => s.Name).ToList();
        LogMigrated(applied.Count, new NpgsqlConnectionStringBuilder(connectionString).Database ?? "");
        return applied;
    }

    private static long StableHash(string text)
    {
        long hash = 1469598103934665603;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211;
        }

        return hash;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Count} migration scripts to {Target}")]
    private partial void LogMigrated(int count, string target);

    [LoggerMessage(Level = LogLevel.Debug, Message = "DbUp: {Message}")]
    private partial void LogDbUp(string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DbUp: {Message}")]
    private partial void LogDbUpWarning(string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "DbUp: {Message}")]
    private partial void LogDbUpError(Exception? exception, string message);

    private sealed class DbUpLog(DatabaseMigrator owner) : IUpgradeLog
    {
        private static string Format(string format, object[] args) =>
            args.Length == 0 ? format : string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);

        public void LogTrace(string format, params object[] args) => owner.LogDbUp(Format(format, args));
        public void LogDebug(string format, params object[] args) => owner.LogDbUp(Format(format, args));
        public void LogInformation(string format, params object[] args) => owner.LogDbUp(Format(format, args));
        public void LogWarning(string format, params object[] args) => owner.LogDbUpWarning(Format(format, args));
        public void LogError(string format, params object[] args) => owner.LogDbUpError(null, Format(format, args));
        public void LogError(Exception ex, string format, params object[] args) => owner.LogDbUpError(ex, Format(format, args));
    }
}

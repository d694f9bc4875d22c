using Dapper;
using Edison.Core.Persistence;
using Edison.Testing;
using Edison.Worker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edison.IntegrationTests.Persistence;

/// <summary>Migrations apply every script exactly once: on an empty database, again on a migrated one, and from concurrent migrators.</summary>
public sealed class DatabaseMigratorTests
{
    [Fact]
    public async Task MigrateAsync_EmptyDatabaseThenMigratedDatabase_AppliesEveryScriptThenNone()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var database = TestDatabase.Reserve();
        var migrator = NewMigrator();

        var first = await migrator.MigrateAsync(database.ConnectionString, [MigrateCommand.QuartzSchemaScript()], cts.Token);
        var second = await migrator.MigrateAsync(database.ConnectionString, [MigrateCommand.QuartzSchemaScript()], cts.Token);

        Assert.Equal(ExpectedScripts(), first);
        Assert.Empty(second);
        await AssertJournalHoldsEachScriptOnceAsync(database, cts.Token);
        await using var connection = await database.DataSource.OpenConnectionAsync(cts.Token);
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*)::int FROM model_prices WHERE model = 'gpt-4o-mini'", cancellationToken: cts.Token)));
        foreach (var table in new[] { "outputs", "judgments", "llm_calls", "qrtz_fired_triggers", "qrtz_scheduler_state" })
        {
            Assert.True(await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT to_regclass(@table) IS NOT NULL", new { table }, cancellationToken: cts.Token)), $"Table {table} is missing.");
        }
    }

    [Fact]
    public async Task MigrateAsync_TwoMigratorsAtOnceOnNewDatabase_BothSucceedAndSplitTheScriptsBetweenThem()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var database = TestDatabase.Reserve();

        var results = await Task.WhenAll(
            Task.Run(() => NewMigrator().MigrateAsync(database.ConnectionString, [MigrateCommand.QuartzSchemaScript()], cts.Token), cts.Token),
            Task.Run(() => NewMigrator().MigrateAsync(database.ConnectionString, [MigrateCommand.QuartzSchemaScript()], cts.Token), cts.Token));

        // The advisory lock serialises them: whichever runs second finds everything journaled.
        Assert.Equal(ExpectedScripts(), results[0].Concat(results[1]).Order(StringComparer.Ordinal));
        Assert.Contains(results, r => r.Count == 0);
        await AssertJournalHoldsEachScriptOnceAsync(database, cts.Token);
    }

    [Fact]
    public async Task MigrateCommand_TwoProcessesAtOnceOnNewDatabase_BothExitZeroAndJournalEachScriptOnce()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var database = TestDatabase.Reserve();

        var runs = await Task.WhenAll(
            WorkerProcess.RunMigrateAsync(database.ConnectionString, cts.Token),
            WorkerProcess.RunMigrateAsync(database.ConnectionString, cts.Token));

        Assert.All(runs, r => Assert.True(r.ExitCode == 0, $"migrate exited with {r.ExitCode}:\n{r.Output}"));
        await AssertJournalHoldsEachScriptOnceAsync(database, cts.Token);
        await using var connection = await database.DataSource.OpenConnectionAsync(cts.Token);
        Assert.True(await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*)::int FROM data_protection_keys", cancellationToken: cts.Token)) >= 1, "migrate created no Data Protection key.");
    }

    private static DatabaseMigrator NewMigrator() => new(NullLogger<DatabaseMigrator>.Instance);

    private static List<string> ExpectedScripts() =>
    [
        .. typeof(DatabaseMigrator).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(DatabaseMigrator.ScriptPrefix, StringComparison.Ordinal))
            .Append(MigrateCommand.QuartzScriptName)
            .Order(StringComparer.Ordinal),
    ];

    private static async Task AssertJournalHoldsEachScriptOnceAsync(TestDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var journal = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT scriptname FROM schemaversions ORDER BY scriptname", cancellationToken: cancellationToken))).ToList();
        Assert.Equal(ExpectedScripts(), journal);
    }
}

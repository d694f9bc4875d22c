using Dapper;
using Edison.Core.Persistence;
using Edison.Testing;
using Edison.Worker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edison.IntegrationTests.Persistence;

/// <summary>
/// Issue 18, finding 8: deleting a referenced row looks up its referencing rows once per row (cascade, set null or refuse),
/// so every foreign key needs an index whose leading columns are its own, or deleting a large project scans outputs and
/// judgments once per deleted llm_calls row.
/// </summary>
public sealed class ForeignKeyIndexTests
{
    // A usable index: its leading columns are exactly the key's, and it is total or only leaves out the key's NULLs (the
    // lookup `col = $1` implies `col IS NOT NULL`, so PostgreSQL uses such a partial index for it).
    private const string UnindexedForeignKeys = """
        SELECT format('%s(%s) -> %s', c.conrelid::regclass,
                      (SELECT string_agg(a.attname, ', ') FROM unnest(c.conkey) k JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k),
                      c.confrelid::regclass)
        FROM pg_constraint c
        WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
          AND NOT EXISTS (
              SELECT 1 FROM pg_index i
              WHERE i.indrelid = c.conrelid
                AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
                AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey
                AND (i.indpred IS NULL OR pg_get_expr(i.indpred, i.indrelid) = format('(%s IS NOT NULL)',
                     (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = c.conkey[1]))))
        ORDER BY 1
        """;

    [Fact]
    public async Task ForeignKeys_EveryForeignKey_HostileHasAnIndex()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var database = TestDatabase.Reserve();
        await new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance).MigrateAsync(database.ConnectionString,
            [MigrateCommand.QuartzSchemaScript()], cts.Token);
        await using var connection = await database.DataSource.OpenConnectionAsync(cts.Token);

        var unindexed = (await connection.QueryAsync<string>(new CommandDefinition(UnindexedForeignKeys, cancellationToken: cts.Token))).ToList();

        // Quartz's own tables (qrtz_*) are its business; Edison's must all be indexed.
        var edisons = unindexed.Where(fk => !fk.StartsWith("qrtz_", StringComparison.Ordinal)).ToList();
        Assert.True(edisons.Count == 0, $"Foreign keys without an index: {string.Join("; ", edisons)}");
    }
}

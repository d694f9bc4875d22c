using Dapper;
using Npgsql;

namespace Edison.Core.Runs;

/// <summary>
/// Which chunks of an iteration's phase are still open. A phase writes its chunks when it schedules them; the chunk that
/// writes the last missing row of its range marks itself done. After a chunk, "is any chunk still open?" reads an index of
/// open rows (O(1) while work remains) where counting the iteration's outputs or judgments was O(iteration) per chunk.
/// It is advice, never the judge of a transition: the exact counts of <see cref="WorkProgress"/> decide, and a repair
/// (the sweeper's advance) re-opens any chunk the counts say is incomplete.
/// </summary>
internal sealed class WorkChunkLedger(NpgsqlDataSource dataSource)
{
    public const string ExecutePhase = "execute";
    public const string JudgePhase = "judge";

    public static string ExecuteKey(Guid modelRunId, int from) => $"exec:{modelRunId}:{from}";

    public static string JudgeKey(Guid iterationId, Guid judgeConfigId, Guid modelRunId, int from) =>
        $"judge:{iterationId}:{judgeConfigId}:{modelRunId}:{from}";

    /// <summary>
    /// Writes the phase's incomplete chunks. Entering a phase leaves existing rows alone (a racing finisher may already have
    /// closed one); a repair re-opens those the exact counts found incomplete and closes every other chunk of the phase.
    /// </summary>
    public async Task OpenAsync(Guid iterationId, string phase, IReadOnlyList<(string Key, int Items)> incomplete, bool repair,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var keys = incomplete.Select(c => c.Key).ToArray();
        var items = incomplete.Select(c => c.Items).ToArray();
        await connection.ExecuteAsync(new CommandDefinition(repair
            ? """
              INSERT INTO work_chunks (iteration_id, chunk_key, phase, items)
              SELECT @iterationId, k, @phase, n FROM unnest(@keys::text[], @items::int[]) AS c(k, n)
              ON CONFLICT (iteration_id, chunk_key) DO UPDATE SET done = false;
              UPDATE work_chunks SET done = true
              WHERE iteration_id = @iterationId AND phase = @phase AND NOT done AND chunk_key <> ALL(@keys::text[]);
              """
            : """
              INSERT INTO work_chunks (iteration_id, chunk_key, phase, items)
              SELECT @iterationId, k, @phase, n FROM unnest(@keys::text[], @items::int[]) AS c(k, n)
              ON CONFLICT (iteration_id, chunk_key) DO NOTHING
              """, new { iterationId, phase, keys, items }, cancellationToken: cancellationToken));
    }

    /// Marks a chunk whose whole range now has its rows.
    public async Task CloseAsync(Guid iterationId, string chunkKey, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE work_chunks SET done = true WHERE iteration_id = @iterationId AND chunk_key = @chunkKey AND NOT done",
            new { iterationId, chunkKey }, cancellationToken: cancellationToken));
    }

    /// <summary>True when the phase has chunks on record and some are still open: the phase is certainly not finished.</summary>
    public async Task<bool> AnyOpenAsync(Guid iterationId, string phase, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM work_chunks WHERE iteration_id = @iterationId AND phase = @phase AND NOT done)",
            new { iterationId, phase }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Items of the phase's closed chunks and of all its chunks, for a progress event (chunk by chunk, exact once the phase is
    /// done); null when the phase has no chunks on record.
    /// </summary>
    public async Task<(int Done, int Total)?> ProgressAsync(Guid iterationId, string phase, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (chunks, done, total) = await connection.QuerySingleAsync<(int, int, int)>(new CommandDefinition("""
            SELECT count(*)::int, coalesce(sum(items) FILTER (WHERE done), 0)::int, coalesce(sum(items), 0)::int
            FROM work_chunks WHERE iteration_id = @iterationId AND phase = @phase
            """, new { iterationId, phase }, cancellationToken: cancellationToken));
        return chunks == 0 ? null : (done, total);
    }
}

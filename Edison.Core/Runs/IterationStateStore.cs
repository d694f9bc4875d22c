using Dapper;
using Npgsql;

namespace Edison.Core.Runs;

/// Reads an iteration's state and holds its per-step locks; its transitions are <see cref="IterationLifecycle"/>'s.
internal sealed class IterationStateStore(NpgsqlDataSource dataSource)
{
    public async Task<IterationState?> GetAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<IterationState>(new CommandDefinition(
            "SELECT id, experiment_id, status, dataset_version_id, is_paused FROM iterations WHERE id = @iterationId",
            new { iterationId }, cancellationToken: cancellationToken));
    }

    /// A per-iteration session lock for a step that must run once at a time (it makes keyed LLM calls, which two concurrent
    /// runners could both pay for before either records it); null when another process holds it.
    public async Task<IAsyncDisposable?> TryLockAsync(Guid iterationId, string step, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var key = $"edison:{step}:{iterationId}";
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(hashtextextended(@key, 0))", new { key },
                cancellationToken: cancellationToken)))
        {
            return new StepLock(connection, key);
        }

        await connection.DisposeAsync();
        return null;
    }
}

internal sealed class StepLock(NpgsqlConnection connection, string key) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        try
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(hashtextextended(@key, 0))", new { key });
        }
        finally
        {
            // Closing the session releases the lock even if the unlock failed.
            await connection.DisposeAsync();
        }
    }
}

internal sealed record IterationState(Guid Id, Guid ExperimentId, string Status, Guid DatasetVersionId, bool IsPaused);

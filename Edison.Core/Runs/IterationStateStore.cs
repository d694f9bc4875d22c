using Dapper;
using Npgsql;

namespace Edison.Core.Runs;

/// The compare-and-set transitions of the iteration state machine: exactly one caller wins each step.
internal sealed class IterationStateStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    public async Task<IterationState?> GetAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<IterationState>(new CommandDefinition(
            "SELECT id, experiment_id, status, dataset_version_id, is_paused FROM iterations WHERE id = @iterationId",
            new { iterationId }, cancellationToken: cancellationToken));
    }

    public async Task<bool> TryTransitionAsync(Guid iterationId, string from, string to, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var now = time.GetUtcNow();
        var changed = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE iterations SET status = @to,
                started_at = CASE WHEN @to = 'executing' THEN @now ELSE started_at END,
                finished_at = CASE WHEN @to IN ('completed', 'failed', 'cancelled') THEN @now ELSE finished_at END
            WHERE id = @iterationId AND status = @from
            """, new { iterationId, from, to, now }, cancellationToken: cancellationToken));
        return changed == 1;
    }
}

internal sealed record IterationState(Guid Id, Guid ExperimentId, string Status, Guid DatasetVersionId, bool IsPaused);

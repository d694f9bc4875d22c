using Dapper;
using Edison.Core.Persistence;
using Npgsql;

namespace Edison.Core.Runs;

/// Creates an iteration row with one model run per enabled model, inside the caller's transaction.
internal static class IterationFactory
{
    /// Creates iteration n+1 of the experiment on the given version and dataset version. Its parent iteration is the latest
    /// aggregated iteration of the version's parent on the same cases: the one a paired comparison is made against.
    public static async Task<Guid> CreateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid experimentId, Guid promptVersionId,
        Guid datasetVersionId, CancellationToken cancellationToken)
    {
        var iterationId = Ids.New();
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO iterations (id, experiment_id, number, prompt_version_id, dataset_version_id, status, parent_iteration_id)
            VALUES (@iterationId, @experimentId, (SELECT coalesce(max(number), 0) + 1 FROM iterations WHERE experiment_id = @experimentId),
                    @promptVersionId, @datasetVersionId, 'pending',
                    (SELECT i.id FROM iterations i JOIN prompt_versions pv ON pv.parent_id = i.prompt_version_id
                     WHERE pv.id = @promptVersionId AND i.dataset_version_id = @datasetVersionId AND i.metrics IS NOT NULL
                       AND i.status <> 'cancelled'
                     ORDER BY i.number DESC LIMIT 1));
            INSERT INTO model_runs (id, iteration_id, model_config_id)
            SELECT gen_random_uuid(), @iterationId, id FROM model_configs WHERE experiment_id = @experimentId AND is_enabled;
            UPDATE experiments SET status = 'running', stop_reason = NULL, stop_details = NULL, updated_at = now() WHERE id = @experimentId;
            """, new { iterationId, experimentId, promptVersionId, datasetVersionId }, transaction, cancellationToken: cancellationToken));
        return iterationId;
    }
}

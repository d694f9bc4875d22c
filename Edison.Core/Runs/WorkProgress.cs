using Dapper;
using Npgsql;

namespace Edison.Core.Runs;

/// Counts what an iteration has done and which chunks still miss rows, straight from the unique-keyed tables.
internal sealed class WorkProgress(NpgsqlDataSource dataSource)
{
    public const int ChunkSize = 10;

    public async Task<(int Done, int Total)> OutputsAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<(int, int)>(new CommandDefinition("""
            SELECT (SELECT count(*)::int FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id WHERE mr.iteration_id = @iterationId),
                   (SELECT coalesce(sum(mc.samples_per_case), 0)::int * (SELECT count(*)::int FROM dataset_version_cases
                        WHERE dataset_version_id = (SELECT dataset_version_id FROM iterations WHERE id = @iterationId))
                    FROM model_runs mr JOIN model_configs mc ON mc.id = mr.model_config_id WHERE mr.iteration_id = @iterationId)
            """, new { iterationId }, cancellationToken: cancellationToken));
    }

    /// What the iteration's recorded provider calls have cost so far, in USD.
    public async Task<decimal> CostAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<decimal>(new CommandDefinition(
            "SELECT coalesce(sum(cost_usd), 0) FROM llm_calls WHERE iteration_id = @iterationId",
            new { iterationId }, cancellationToken: cancellationToken));
    }

    /// Judgments written for the iteration against those it needs: every pointwise judge × succeeded output, plus every
    /// pairwise judge × ordered pair (two models on one case and sample, or this version against its parent's output).
    public async Task<(int Done, int Total)> JudgmentsAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<(int, int)>(new CommandDefinition($"""
            WITH judges AS (SELECT jc.id, jc.kind FROM judge_configs jc JOIN iterations i ON i.experiment_id = jc.experiment_id
                            WHERE i.id = @iterationId AND jc.is_enabled AND jc.kind IN ('pointwise', 'pairwise'))
            SELECT (SELECT count(*)::int FROM judgments j JOIN judges ON judges.id = j.judge_config_id
                    WHERE j.iteration_id = @iterationId AND j.mode IN ('pointwise', 'pairwise')),
                   (SELECT count(*)::int FROM ({JudgeableOutputsSql}) x) * (SELECT count(*)::int FROM judges WHERE kind = 'pointwise')
                   + (SELECT count(*)::int FROM ({PairsSql}) p) * (SELECT count(*)::int FROM judges WHERE kind = 'pairwise')
            """, new { iterationId }, cancellationToken: cancellationToken));
    }

    /// (model run, first position) of every execute chunk with a missing output.
    public async Task<IReadOnlyList<(Guid ModelRunId, int From)>> IncompleteExecuteChunksAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(Guid, int)>(new CommandDefinition("""
            SELECT DISTINCT mr.id, (dvc.position / @chunk) * @chunk
            FROM model_runs mr
            JOIN iterations i ON i.id = mr.iteration_id
            JOIN model_configs mc ON mc.id = mr.model_config_id
            JOIN dataset_version_cases dvc ON dvc.dataset_version_id = i.dataset_version_id
            CROSS JOIN LATERAL generate_series(0, mc.samples_per_case - 1) AS s(sample)
            WHERE mr.iteration_id = @iterationId
              AND NOT EXISTS (SELECT 1 FROM outputs o WHERE o.model_run_id = mr.id AND o.case_id = dvc.case_id AND o.sample = s.sample)
            ORDER BY 1, 2
            """, new { iterationId, chunk = ChunkSize }, cancellationToken: cancellationToken));
        return rows.ToList();
    }

    /// (judge, first index) of every judge chunk with a missing judgment; outputs and pairs are indexed in a fixed order.
    public async Task<IReadOnlyList<(Guid JudgeConfigId, int From)>> IncompleteJudgeChunksAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(Guid, int)>(new CommandDefinition($"""
            WITH indexed AS ({JudgeableOutputsSql}), pairs AS ({PairsSql})
            SELECT DISTINCT jc.id, (x.idx / @chunk) * @chunk
            FROM indexed x
            JOIN iterations i ON i.id = @iterationId
            JOIN judge_configs jc ON jc.experiment_id = i.experiment_id AND jc.is_enabled AND jc.kind = 'pointwise'
            WHERE NOT EXISTS (SELECT 1 FROM judgments j WHERE j.output_id = x.output_id AND j.judge_config_id = jc.id
                              AND j.mode = 'pointwise' AND j.pair_key = '')
            UNION
            SELECT DISTINCT jc.id, (p.idx / @chunk) * @chunk
            FROM pairs p
            JOIN iterations i ON i.id = @iterationId
            JOIN judge_configs jc ON jc.experiment_id = i.experiment_id AND jc.is_enabled AND jc.kind = 'pairwise'
            WHERE NOT EXISTS (SELECT 1 FROM judgments j WHERE j.output_id = p.first_id AND j.judge_config_id = jc.id
                              AND j.mode = 'pairwise' AND j.pair_key = p.pair_key)
            ORDER BY 1, 2
            """, new { iterationId, chunk = ChunkSize }, cancellationToken: cancellationToken));
        return rows.ToList();
    }

    /// <summary>
    /// The ordered pairs a pairwise judge sees in an iteration, each with a stable 0-based index: two models' outputs for the
    /// same case and sample, and (from the second iteration) this version's output against its parent's for the same model,
    /// case and sample. Both orders of every pair are listed; <c>pair_key</c> is the sorted output ids plus the order.
    /// </summary>
    public const string PairsSql = """
        SELECT p.first_id, p.second_id, p.pair_key, (row_number() OVER (ORDER BY p.pair_key) - 1)::int AS idx
        FROM (
            SELECT a.id AS first_id, b.id AS second_id,
                   least(a.id, b.id)::text || ':' || greatest(a.id, b.id)::text || CASE WHEN a.id < b.id THEN ':ab' ELSE ':ba' END AS pair_key
            FROM iterations it
            JOIN model_runs ra ON ra.iteration_id = it.id
            JOIN outputs a ON a.model_run_id = ra.id AND a.status = 'succeeded'
            JOIN model_runs rb ON rb.iteration_id IN (it.id, it.parent_iteration_id)
            JOIN outputs b ON b.model_run_id = rb.id AND b.status = 'succeeded' AND b.case_id = a.case_id AND b.sample = a.sample
            WHERE it.id = @iterationId
              AND ((rb.iteration_id = it.id AND rb.model_config_id <> ra.model_config_id)
                   OR (rb.iteration_id = it.parent_iteration_id AND rb.model_config_id = ra.model_config_id))
            UNION ALL
            SELECT b.id, a.id,
                   least(a.id, b.id)::text || ':' || greatest(a.id, b.id)::text || CASE WHEN b.id < a.id THEN ':ab' ELSE ':ba' END
            FROM iterations it
            JOIN model_runs ra ON ra.iteration_id = it.id
            JOIN outputs a ON a.model_run_id = ra.id AND a.status = 'succeeded'
            JOIN model_runs rb ON rb.iteration_id = it.parent_iteration_id AND rb.model_config_id = ra.model_config_id
            JOIN outputs b ON b.model_run_id = rb.id AND b.status = 'succeeded' AND b.case_id = a.case_id AND b.sample = a.sample
            WHERE it.id = @iterationId
        ) p
        """;

    /// The succeeded outputs of an iteration with a stable 0-based index (run, case position, sample).
    public const string JudgeableOutputsSql = """
        SELECT o.id AS output_id, (row_number() OVER (ORDER BY mr.id, dvc.position, o.sample) - 1)::int AS idx
        FROM outputs o
        JOIN model_runs mr ON mr.id = o.model_run_id
        JOIN iterations it ON it.id = mr.iteration_id
        JOIN dataset_version_cases dvc ON dvc.dataset_version_id = it.dataset_version_id AND dvc.case_id = o.case_id
        WHERE mr.iteration_id = @iterationId AND o.status = 'succeeded'
        """;
}

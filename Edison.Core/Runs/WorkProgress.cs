using Dapper;
using Npgsql;

namespace Edison.Core.Runs;

/// <summary>
/// Counts what an iteration has done and which chunks still miss rows, straight from the unique-keyed tables. A chunk is
/// a model run and a range of case positions, for execution and judging alike, so a chunk job reads only its own range
/// (an index range on <c>dataset_version_cases (dataset_version_id, position)</c>) and never ranks the whole iteration.
/// </summary>
internal sealed class WorkProgress(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Cases per chunk job for a dataset of <paramref name="cases"/>: about a twentieth of it, between 5 and 50. Each job
    /// costs a clustered Quartz acquisition (row locks shared by every worker), a few queries and one progress event, so a
    /// large run wants large chunks; a small one wants several chunks so that a person watching sees it move. The calls
    /// inside a chunk run in parallel, so its size does not bound the calls in flight.
    /// </summary>
    public static int ChunkSize(int cases) => Math.Clamp(cases / 20, MinChunkSize, MaxChunkSize);

    public const int MinChunkSize = 5;

    public const int MaxChunkSize = 50;

    private const string CaseCountSql = """
        SELECT count(*)::int FROM dataset_version_cases
        WHERE dataset_version_id = (SELECT dataset_version_id FROM iterations WHERE id = @iterationId)
        """;

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
    /// Pairs are counted only when a pairwise judge is enabled: the pair join is the expensive part.
    public async Task<(int Done, int Total)> JudgmentsAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (done, total) = await connection.QuerySingleAsync<(int, int)>(new CommandDefinition($"""
            WITH judges AS (SELECT jc.id, jc.kind FROM judge_configs jc JOIN iterations i ON i.experiment_id = jc.experiment_id
                            WHERE i.id = @iterationId AND jc.is_enabled AND jc.kind IN ('pointwise', 'pairwise')),
                 counts AS (SELECT count(*) FILTER (WHERE kind = 'pointwise')::int AS pointwise,
                                   count(*) FILTER (WHERE kind = 'pairwise')::int AS pairwise FROM judges)
            SELECT ({JudgmentsDoneSql}),
                   CASE WHEN c.pointwise = 0 THEN 0 ELSE c.pointwise * (SELECT count(*)::int FROM ({JudgeableOutputsSql}) x) END
                   + CASE WHEN c.pairwise = 0 THEN 0 ELSE c.pairwise * (SELECT count(*)::int FROM ({PairsSql("")}) p) END
            FROM counts c
            """, new { iterationId }, cancellationToken: cancellationToken));
        return (done, total);
    }

    /// <summary>
    /// Each enabled LLM pointwise judge's valid and failed verdicts in the iteration, the cases scored (an output with at least
    /// half its judges valid), the dataset version's cases and the experiment's α: what <see cref="JudgingHealth"/> decides on.
    /// </summary>
    public async Task<VerdictCounts> VerdictsAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition("""
            SELECT jc.id AS JudgeConfigId, coalesce(jc.model, '') AS Model,
                   (SELECT count(*)::int FROM judgments j WHERE j.iteration_id = @iterationId AND j.judge_config_id = jc.id
                      AND j.mode = 'pointwise' AND j.status = 'succeeded') AS Valid,
                   (SELECT count(*)::int FROM judgments j WHERE j.iteration_id = @iterationId AND j.judge_config_id = jc.id
                      AND j.mode = 'pointwise' AND j.status = 'failed') AS Failed
            FROM judge_configs jc JOIN iterations i ON i.experiment_id = jc.experiment_id
            WHERE i.id = @iterationId AND jc.is_enabled AND jc.kind = 'pointwise'
            ORDER BY jc.position, jc.id;

            WITH judges AS (SELECT jc.id FROM judge_configs jc JOIN iterations i ON i.experiment_id = jc.experiment_id
                            WHERE i.id = @iterationId AND jc.is_enabled AND jc.kind = 'pointwise'),
                 per_output AS (SELECT o.case_id, count(j.id) FILTER (WHERE j.status = 'succeeded') AS valid
                                FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id
                                LEFT JOIN judgments j ON j.output_id = o.id AND j.mode = 'pointwise' AND j.judge_config_id IN (SELECT id FROM judges)
                                WHERE mr.iteration_id = @iterationId AND o.status = 'succeeded'
                                GROUP BY o.id, o.case_id)
            SELECT (SELECT count(DISTINCT case_id)::int FROM per_output WHERE valid >= 1 AND valid * 2 >= (SELECT count(*) FROM judges)) AS Scored,
                   (SELECT count(*)::int FROM dataset_version_cases dvc JOIN iterations i ON i.dataset_version_id = dvc.dataset_version_id
                    WHERE i.id = @iterationId) AS Cases,
                   (SELECT coalesce((e.stop_rules ->> 'alpha')::float8, 0.05) FROM experiments e JOIN iterations i ON i.experiment_id = e.id
                    WHERE i.id = @iterationId) AS Alpha
            """, new { iterationId }, cancellationToken: cancellationToken));
        var judges = (await grid.ReadAsync<JudgeVerdictCount>()).ToList();
        var (scored, cases, alpha) = await grid.ReadSingleAsync<(int, int, double)>();
        return new VerdictCounts(judges, scored, cases, alpha);
    }

    private const string JudgmentsDoneSql = """
        SELECT count(*)::int FROM judgments j
        WHERE j.iteration_id = @iterationId AND j.mode IN ('pointwise', 'pairwise') AND j.judge_config_id IN (SELECT id FROM judges)
        """;

    /// (model run, first position, missing outputs) of every execute chunk with a missing output.
    public async Task<IReadOnlyList<ExecuteChunk>> IncompleteExecuteChunksAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var chunk = ChunkSize(await connection.ExecuteScalarAsync<int>(new CommandDefinition(CaseCountSql, new { iterationId },
            cancellationToken: cancellationToken)));
        var rows = await connection.QueryAsync<ExecuteChunk>(new CommandDefinition("""
            SELECT mr.id AS model_run_id, (dvc.position / @chunk) * @chunk AS "from", @chunk AS count, count(*)::int AS items
            FROM model_runs mr
            JOIN iterations i ON i.id = mr.iteration_id
            JOIN model_configs mc ON mc.id = mr.model_config_id
            JOIN dataset_version_cases dvc ON dvc.dataset_version_id = i.dataset_version_id
            CROSS JOIN LATERAL generate_series(0, mc.samples_per_case - 1) AS s(sample)
            WHERE mr.iteration_id = @iterationId
              AND NOT EXISTS (SELECT 1 FROM outputs o WHERE o.model_run_id = mr.id AND o.case_id = dvc.case_id AND o.sample = s.sample)
            GROUP BY 1, 2
            ORDER BY 1, 2
            """, new { iterationId, chunk }, cancellationToken: cancellationToken));
        return rows.ToList();
    }

    /// (judge, model run, first position, missing judgments) of every judge chunk with a missing judgment. Read when a phase
    /// starts and by the sweeper, never per chunk.
    public async Task<IReadOnlyList<JudgeChunk>> IncompleteJudgeChunksAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var chunk = ChunkSize(await connection.ExecuteScalarAsync<int>(new CommandDefinition(CaseCountSql, new { iterationId },
            cancellationToken: cancellationToken)));
        var rows = await connection.QueryAsync<JudgeChunk>(new CommandDefinition($"""
            WITH judges AS (SELECT jc.id, jc.kind FROM judge_configs jc JOIN iterations i ON i.experiment_id = jc.experiment_id
                            WHERE i.id = @iterationId AND jc.is_enabled AND jc.kind IN ('pointwise', 'pairwise'))
            SELECT jc.id AS judge_config_id, x.model_run_id, (x.position / @chunk) * @chunk AS "from", @chunk AS count, count(*)::int AS items
            FROM ({JudgeableOutputsSql}) x
            JOIN judges jc ON jc.kind = 'pointwise'
            WHERE NOT EXISTS (SELECT 1 FROM judgments j WHERE j.output_id = x.output_id AND j.judge_config_id = jc.id
                              AND j.mode = 'pointwise' AND j.pair_key = '')
            GROUP BY 1, 2, 3
            UNION ALL
            SELECT jc.id, p.model_run_id, (p.position / @chunk) * @chunk, @chunk, count(*)::int
            FROM ({PairsSql("")}) p
            JOIN judges jc ON jc.kind = 'pairwise'
            WHERE NOT EXISTS (SELECT 1 FROM judgments j WHERE j.output_id = p.first_id AND j.judge_config_id = jc.id
                              AND j.mode = 'pairwise' AND j.pair_key = p.pair_key)
            GROUP BY 1, 2, 3
            ORDER BY 1, 2, 3
            """, new { iterationId, chunk }, cancellationToken: cancellationToken));
        return rows.ToList();
    }

    /// Restricts <see cref="PairsSql"/> or <see cref="JudgeableOutputsSql"/> to one chunk: a model run's case positions
    /// [@from, @from + @count).
    public const string ChunkFilter = "AND ra.id = @modelRunId AND dvc.position >= @from AND dvc.position < @from + @count";

    /// <summary>
    /// The ordered pairs a pairwise judge sees in an iteration: two models' outputs for the same case and sample, and (from
    /// the second iteration) this version's output against its parent's for the same model, case and sample. Both orders of
    /// every pair are listed; <c>pair_key</c> is the sorted output ids plus the order. Each pair is anchored on the output of
    /// this iteration it involves (<c>model_run_id</c>, <c>position</c>), which is how it falls into a chunk.
    /// </summary>
    public static string PairsSql(string filter) => $"""
        SELECT a.id AS first_id, b.id AS second_id,
               least(a.id, b.id)::text || ':' || greatest(a.id, b.id)::text || CASE WHEN a.id < b.id THEN ':ab' ELSE ':ba' END AS pair_key,
               ra.id AS model_run_id, dvc.position, a.sample
        FROM iterations it
        JOIN model_runs ra ON ra.iteration_id = it.id
        JOIN outputs a ON a.model_run_id = ra.id AND a.status = 'succeeded'
        JOIN dataset_version_cases dvc ON dvc.dataset_version_id = it.dataset_version_id AND dvc.case_id = a.case_id
        JOIN model_runs rb ON rb.iteration_id IN (it.id, it.parent_iteration_id)
        JOIN outputs b ON b.model_run_id = rb.id AND b.status = 'succeeded' AND b.case_id = a.case_id AND b.sample = a.sample
        WHERE it.id = @iterationId
          AND ((rb.iteration_id = it.id AND rb.model_config_id <> ra.model_config_id)
               OR (rb.iteration_id = it.parent_iteration_id AND rb.model_config_id = ra.model_config_id))
          {filter}
        UNION ALL
        SELECT b.id, a.id,
               least(a.id, b.id)::text || ':' || greatest(a.id, b.id)::text || CASE WHEN b.id < a.id THEN ':ab' ELSE ':ba' END,
               ra.id, dvc.position, a.sample
        FROM iterations it
        JOIN model_runs ra ON ra.iteration_id = it.id
        JOIN outputs a ON a.model_run_id = ra.id AND a.status = 'succeeded'
        JOIN dataset_version_cases dvc ON dvc.dataset_version_id = it.dataset_version_id AND dvc.case_id = a.case_id
        JOIN model_runs rb ON rb.iteration_id = it.parent_iteration_id AND rb.model_config_id = ra.model_config_id
        JOIN outputs b ON b.model_run_id = rb.id AND b.status = 'succeeded' AND b.case_id = a.case_id AND b.sample = a.sample
        WHERE it.id = @iterationId
          {filter}
        """;

    /// The succeeded outputs of an iteration with their model run and case position.
    public const string JudgeableOutputsSql = """
        SELECT o.id AS output_id, ra.id AS model_run_id, dvc.position, o.sample
        FROM outputs o
        JOIN model_runs ra ON ra.id = o.model_run_id
        JOIN iterations it ON it.id = ra.iteration_id
        JOIN dataset_version_cases dvc ON dvc.dataset_version_id = it.dataset_version_id AND dvc.case_id = o.case_id
        WHERE ra.iteration_id = @iterationId AND o.status = 'succeeded'
        """;

    /// <summary>
    /// The chunk's succeeded outputs only: read from the case-position range (an index range) with one output lookup per
    /// case, so a chunk costs O(chunk) whatever the planner thinks of the model run's other outputs.
    /// </summary>
    public const string ChunkOutputsSql = """
        SELECT o.id AS output_id, ra.id AS model_run_id, dvc.position, o.sample
        FROM model_runs ra
        JOIN iterations it ON it.id = ra.iteration_id
        JOIN dataset_version_cases dvc ON dvc.dataset_version_id = it.dataset_version_id
                                      AND dvc.position >= @from AND dvc.position < @from + @count
        CROSS JOIN LATERAL (SELECT o.id, o.sample FROM outputs o
                            WHERE o.model_run_id = ra.id AND o.case_id = dvc.case_id AND o.status = 'succeeded') o
        WHERE ra.id = @modelRunId AND ra.iteration_id = @iterationId
        """;
}

/// <summary>One execute chunk: a model run of the iteration, its case positions [From, From + Count) and the outputs it misses.</summary>
internal sealed record ExecuteChunk(Guid ModelRunId, int From, int Count, int Items);

/// <summary>One judge chunk: a judge, a model run of the iteration, its case positions [From, From + Count) and the judgments it misses.</summary>
internal sealed record JudgeChunk(Guid JudgeConfigId, Guid ModelRunId, int From, int Count, int Items);

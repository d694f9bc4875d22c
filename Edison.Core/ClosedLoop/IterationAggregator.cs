using System.Text.Json;
using Dapper;
using Edison.Core.Experiments;
using Edison.Core.Runs.Aggregation;
using Edison.Core.Statistics;
using Npgsql;

namespace Edison.Core.ClosedLoop;

/// Computes an iteration's statistics and its comparison with the parent from the stored rows. Re-running gives the same figures.
internal sealed class IterationAggregator(NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions Json = LoopJson.Options;

    public async Task<(IterationMetrics Metrics, VersionComparison? Comparison)> AggregateAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var it = await connection.QuerySingleAsync<IterationRow>(new CommandDefinition("""
            SELECT i.id, i.parent_iteration_id, pv.version, e.rubric::text AS rubric, e.jury_aggregation, e.stop_rules::text AS stop_rules,
                   (SELECT count(*)::int FROM judge_configs WHERE experiment_id = e.id AND is_enabled AND kind = 'pointwise') AS llm_judges,
                   pi.metrics::text AS parent_metrics, ppv.version AS parent_version, i.scheduled_run,
                   e.human_ratings_join_score
            FROM iterations i
            JOIN experiments e ON e.id = i.experiment_id
            JOIN prompt_versions pv ON pv.id = i.prompt_version_id
            LEFT JOIN iterations pi ON pi.id = i.parent_iteration_id
            LEFT JOIN prompt_versions ppv ON ppv.id = pi.prompt_version_id
            WHERE i.id = @iterationId
            """, new { iterationId }, cancellationToken: cancellationToken));
        var rubric = JsonSerializer.Deserialize<Rubric>(it.Rubric, Json)!;
        var rules = JsonSerializer.Deserialize<StopRules>(it.StopRules, Json) ?? new StopRules();

        var outputs = await OutputsAsync(connection, iterationId, cancellationToken);
        var parentOutputs = it.ParentIterationId is { } parentId ? await OutputsAsync(connection, parentId, cancellationToken) : [];
        var verdicts = (await connection.QueryAsync<VerdictRow>(new CommandDefinition("""
            SELECT j.output_id, j.judge_config_id, j.mode, j.status, j.scores::text AS scores, j.safety_flags
            FROM judgments j JOIN outputs o ON o.id = j.output_id JOIN model_runs mr ON mr.id = o.model_run_id
            WHERE mr.iteration_id = @iterationId AND j.mode IN ('pointwise', 'human')
            """, new { iterationId }, cancellationToken: cancellationToken)))
            .Select(v => new JudgeScore(v.OutputId, v.JudgeConfigId.ToString(), v.Mode == "human", v.Status == "succeeded",
                JsonSerializer.Deserialize<Dictionary<string, int>>(v.Scores, Json) ?? [], v.SafetyFlags))
            .ToList();
        var pairs = (await connection.QueryAsync<PairRow>(new CommandDefinition("""
            SELECT judge_config_id, output_id, other_output_id, status, winner FROM judgments
            WHERE iteration_id = @iterationId AND mode = 'pairwise'
            """, new { iterationId }, cancellationToken: cancellationToken)))
            .Select(p => new PairVerdict(p.JudgeConfigId.ToString(), p.OutputId, p.OtherOutputId, p.Status == "succeeded", p.Winner))
            .ToList();
        var version = $"v{it.Version}";
        var versionOfOutput = outputs.ToDictionary(o => o.OutputId, _ => version);
        foreach (var o in parentOutputs)
        {
            versionOfOutput[o.OutputId] = $"v{it.ParentVersion}";
        }

        var aggregation = it.JuryAggregation switch
        {
            "median" => JuryAggregation.Median,
            "trimmed_mean" => JuryAggregation.TrimmedMean,
            _ => JuryAggregation.Mean,
        };
        var metrics = IterationStatistics.Compute(outputs, verdicts, pairs, rubric, aggregation, it.LlmJudges, versionOfOutput, parentOutputs,
            it.HumanRatingsJoinScore);
        var comparison = it.ParentMetrics is null || it.ParentIterationId is null
            ? null
            : LoopRules.Compare(metrics, JsonSerializer.Deserialize<IterationMetrics>(it.ParentMetrics, Json)!, it.ParentIterationId.Value,
                it.ParentVersion ?? 0, rules, IterationStatistics.ScaleRange(rubric), allCases: it.ScheduledRun);

        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE iterations SET metrics = @metrics::jsonb, comparison = @comparison::jsonb,
                cost_usd = (SELECT coalesce(sum(cost_usd), 0) FROM llm_calls WHERE iteration_id = @iterationId),
                input_tokens = (SELECT coalesce(sum(input_tokens), 0) FROM llm_calls WHERE iteration_id = @iterationId),
                output_tokens = (SELECT coalesce(sum(output_tokens), 0) FROM llm_calls WHERE iteration_id = @iterationId)
            WHERE id = @iterationId
            """, new
        {
            iterationId, metrics = JsonSerializer.Serialize(metrics, Json),
            comparison = comparison is null ? null : JsonSerializer.Serialize(comparison, Json),
        }, cancellationToken: cancellationToken));
        return (metrics, comparison);
    }

    private static async Task<List<ScoredOutput>> OutputsAsync(NpgsqlConnection connection, Guid iterationId, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<OutputRow>(new CommandDefinition("""
            SELECT o.id, o.case_id, mc.display_name AS model, o.sample, o.status, cv.split, cv.tags, cv.difficulty, o.truncated, o.latency_ms,
                   o.cost_usd, o.output_tokens, o.pii_flags
            FROM outputs o
            JOIN model_runs mr ON mr.id = o.model_run_id
            JOIN model_configs mc ON mc.id = mr.model_config_id
            JOIN case_versions cv ON cv.case_id = o.case_id AND cv.version = o.case_version
            WHERE mr.iteration_id = @iterationId
            """, new { iterationId }, cancellationToken: cancellationToken)))
        .Select(r => new ScoredOutput(r.Id, r.CaseId, r.Model, r.Sample, r.Status, r.Split, r.Tags, r.Difficulty, r.Truncated, r.LatencyMs, r.CostUsd,
            r.OutputTokens, r.PiiFlags))
        .ToList();

    private sealed record IterationRow(Guid Id, Guid? ParentIterationId, int Version, string Rubric, string JuryAggregation, string StopRules,
        int LlmJudges, string? ParentMetrics, int? ParentVersion, bool ScheduledRun,
        bool HumanRatingsJoinScore);

    // A class with setters: Dapper maps text[] columns only through properties, not positional records.
    private sealed class OutputRow
    {
        public Guid Id { get; init; }

        public Guid CaseId { get; init; }

        public string Model { get; init; } = "";

        public int Sample { get; init; }

        public string Status { get; init; } = "";

        public string Split { get; init; } = "";

        public string[] Tags { get; init; } = [];

        public string? Difficulty { get; init; }

        public bool Truncated { get; init; }

        public int LatencyMs { get; init; }

        public decimal CostUsd { get; init; }

        public int OutputTokens { get; init; }

        public string[] PiiFlags { get; init; } = [];
    }

    // A class with setters: Dapper maps text[] columns only through properties, not positional records.
    private sealed class VerdictRow
    {
        public Guid OutputId { get; init; }

        public Guid JudgeConfigId { get; init; }

        public string Mode { get; init; } = "";

        public string Status { get; init; } = "";

        public string Scores { get; init; } = "";

        public string[] SafetyFlags { get; init; } = [];
    }

    private sealed record PairRow(Guid JudgeConfigId, Guid OutputId, Guid OtherOutputId, string Status, string? Winner);
}

using System.ComponentModel;
using System.Text.Json;
using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.Experiments;
using Edison.Core.Runs;
using Edison.Core.Runs.Aggregation;
using Npgsql;

namespace Edison.Core.ReadModels;

/// <summary>Reads the iteration page: its header in one round trip, the results grid one page at a time, and one output's judgments.</summary>
public sealed class IterationInsightsQuery
{
    private static readonly JsonSerializerOptions Json = LoopJson.Options;
    private readonly NpgsqlDataSource _dataSource;
    private readonly SettledIterationCache _settled;

    internal IterationInsightsQuery(NpgsqlDataSource dataSource, SettledIterationCache settled)
    {
        _dataSource = dataSource;
        _settled = settled;
    }

    /// <summary>The iteration's header, or null when it does not exist.</summary>
    public async Task<IterationHeader?> GetHeaderAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        HeaderRow? h;
        await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken))
        {
            h = await connection.QuerySingleOrDefaultAsync<HeaderRow>(new CommandDefinition("""
                SELECT i.id, e.id AS experiment_id, e.name AS experiment_name, i.number, i.status, i.is_paused, pv.version, i.summary,
                       (i.metrics - 'caseScores' - 'caseFlagRates' - 'caseSplits')::text AS metrics, i.comparison::text AS comparison,
                       i.stop_details::text AS stop_details, i.cost_usd, e.rubric::text AS rubric, i.change_stamp,
                       coalesce((e.stop_rules ->> 'alpha')::float8, 0.05) AS alpha, e.review_mode,
                       (SELECT count(*) FROM dataset_version_cases dvc
                        JOIN case_versions cv ON cv.case_id = dvc.case_id AND cv.version = dvc.case_version
                        WHERE dvc.dataset_version_id = i.dataset_version_id AND cv.split = 'validation')::int AS validation_cases,
                       (SELECT s.id FROM suggestions s WHERE s.iteration_id = i.id AND s.status = 'pending' ORDER BY s.attempt DESC LIMIT 1)
                           AS pending_suggestion_id
                FROM iterations i JOIN experiments e ON e.id = i.experiment_id JOIN prompt_versions pv ON pv.id = i.prompt_version_id
                WHERE i.id = @iterationId
                """, new { iterationId }, cancellationToken: cancellationToken));
        }

        if (h is null)
        {
            return null;
        }

        var (phases, tags) = await _settled.GetOrComputeAsync(iterationId, h.Status, h.ChangeStamp, nameof(PhasesAndTagsAsync),
            ct => PhasesAndTagsAsync(iterationId, ct), cancellationToken);
        return new IterationHeader(h.Id, h.ExperimentId, h.ExperimentName, h.Number, h.Status, h.IsPaused, h.Version, h.Summary,
            h.Metrics is null ? null : JsonSerializer.Deserialize<IterationMetrics>(h.Metrics, Json),
            h.Comparison is null ? null : JsonSerializer.Deserialize<VersionComparison>(h.Comparison, Json),
            h.StopDetails is null ? null : JsonSerializer.Deserialize<StopDecision>(h.StopDetails, Json),
            h.CostUsd, JsonSerializer.Deserialize<Rubric>(h.Rubric, Json)!, h.PendingSuggestionId, phases, tags)
        {
            ChangeStamp = h.ChangeStamp,
            ValidationCases = h.ValidationCases,
            Alpha = h.Alpha,
            ReviewMode = h.ReviewMode,
        };
    }

    private async Task<PhasesAndTags> PhasesAndTagsAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition("""
            SELECT purpose, count(*)::int AS calls, count(*) FILTER (WHERE status = 'failed')::int AS failed, coalesce(sum(cost_usd), 0) AS cost_usd
            FROM llm_calls WHERE iteration_id = @iterationId GROUP BY purpose ORDER BY min(started_at);

            SELECT DISTINCT unnest(cv.tags) AS tag
            FROM iterations i JOIN dataset_version_cases dvc ON dvc.dataset_version_id = i.dataset_version_id
            JOIN case_versions cv ON cv.case_id = dvc.case_id AND cv.version = dvc.case_version
            WHERE i.id = @iterationId ORDER BY 1;
            """, new { iterationId }, cancellationToken: cancellationToken));
        IReadOnlyList<PhaseCost> phases = (await grid.ReadAsync<PhaseRow>()).Select(p => new PhaseCost(p.Purpose, p.Calls, p.Failed, p.CostUsd)).ToList();
        IReadOnlyList<string> tags = (await grid.ReadAsync<string>()).ToList();
        return new PhasesAndTags(phases, tags);
    }

    /// The cache part of one grid page: the filter in JSON (unambiguous, unlike a record's ToString with free-text fields).
    private static string PartOf(ResultsFilter filter) => "results:" + JsonSerializer.Serialize(filter with { Page = Math.Max(1, filter.Page) });

    /// <summary>Each LLM judge's valid and failed verdicts, and the <paramref name="first"/> earliest failed verdicts with their raw answers.</summary>
    public async Task<JudgingFailures> GetJudgingFailuresAsync(Guid iterationId, int first, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition("""
            SELECT coalesce(jc.model, '') AS Model,
                   count(j.id) FILTER (WHERE j.status = 'succeeded')::int AS Valid,
                   count(j.id) FILTER (WHERE j.status = 'failed')::int AS Failed
            FROM judge_configs jc JOIN iterations i ON i.experiment_id = jc.experiment_id
            LEFT JOIN judgments j ON j.judge_config_id = jc.id AND j.iteration_id = i.id AND j.mode = 'pointwise'
            WHERE i.id = @iterationId AND jc.is_enabled AND jc.kind = 'pointwise'
            GROUP BY jc.id, jc.model, jc.position ORDER BY jc.position, jc.id;

            SELECT j.output_id AS OutputId, coalesce(jc.model, '') AS Model, coalesce(j.error, 'no error recorded') AS Error,
                   c.response_text AS RawAnswer
            FROM judgments j JOIN judge_configs jc ON jc.id = j.judge_config_id LEFT JOIN llm_calls c ON c.id = j.llm_call_id
            WHERE j.iteration_id = @iterationId AND j.mode = 'pointwise' AND j.status = 'failed'
            ORDER BY j.created_at, j.id LIMIT @first;
            """, new { iterationId, first }, cancellationToken: cancellationToken));
        var judges = (await grid.ReadAsync<JudgeVerdictSummary>()).ToList();
        var failures = (await grid.ReadAsync<FailedVerdict>()).ToList();
        return new JudgingFailures(judges, failures);
    }

    /// <summary>One page of case × model × sample rows matching the filter, in case order, with the total that match.</summary>
    public async Task<ResultsPage> GetResultsAsync(Guid iterationId, ResultsFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Status, long ChangeStamp)>(new CommandDefinition(
            "SELECT status, change_stamp FROM iterations WHERE id = @iterationId", new { iterationId }, cancellationToken: cancellationToken));
        var (status, stamp) = rows.FirstOrDefault();
        return status is null ? new ResultsPage([], 0, Math.Max(1, filter.Page))
            : await _settled.GetOrComputeAsync(iterationId, status, stamp, PartOf(filter),
                ct => ReadResultsAsync(iterationId, filter, ct), cancellationToken);
    }

    /// <summary>As the other overload, for a page that has just read the iteration's header (its status and change stamp).</summary>
    public Task<ResultsPage> GetResultsAsync(IterationHeader header, ResultsFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(filter);
        return _settled.GetOrComputeAsync(header.Id, header.Status, header.ChangeStamp, PartOf(filter),
            ct => ReadResultsAsync(header.Id, filter, ct), cancellationToken);
    }

    private async Task<ResultsPage> ReadResultsAsync(Guid iterationId, ResultsFilter filter, CancellationToken cancellationToken)
    {
        var page = Math.Max(1, filter.Page);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        // Page first, then read and aggregate only the rows shown: the filters are index probes per row (partial indexes on the
        // rare failed and flagged judgments), so a request costs O(rows of the iteration) cheap key work plus O(page) reads,
        // never an aggregate of every output's judgments.
        var rows = (await connection.QueryAsync<ResultRow, int, (ResultRow Row, int Total)>(new CommandDefinition("""
            WITH shown AS (
                SELECT o.id AS output_id, dvc.position, mc.position AS model_position, mc.model, coalesce(o.sample, 0) AS sample,
                       dvc.case_id, dvc.case_version, count(*) OVER () AS total
                FROM iterations i
                JOIN model_runs mr ON mr.iteration_id = i.id
                JOIN model_configs mc ON mc.id = mr.model_config_id
                JOIN dataset_version_cases dvc ON dvc.dataset_version_id = i.dataset_version_id
                LEFT JOIN outputs o ON o.model_run_id = mr.id AND o.case_id = dvc.case_id
                WHERE i.id = @iterationId
                  AND (NOT @failures OR o.status = 'failed'
                       OR EXISTS (SELECT 1 FROM judgments j WHERE j.output_id = o.id AND j.status = 'failed'))
                  AND (@criterion::text IS NULL OR @below::double precision IS NULL
                       OR EXISTS (SELECT 1 FROM judgments j WHERE j.output_id = o.id AND j.status = 'succeeded'
                                  AND (j.scores ->> @criterion::text)::double precision < @below::double precision))
                  AND (@tag::text IS NULL AND @split::text IS NULL
                       OR EXISTS (SELECT 1 FROM case_versions cv WHERE cv.case_id = dvc.case_id AND cv.version = dvc.case_version
                                  AND (@tag::text IS NULL OR @tag::text = ANY(cv.tags)) AND (@split::text IS NULL OR cv.split = @split::text)))
                  AND (NOT @disagreement
                       OR EXISTS (SELECT 1 FROM judgments a JOIN judgments b ON b.output_id = a.output_id
                                  WHERE a.output_id = o.id AND a.status = 'succeeded' AND a.mode <> 'pairwise'
                                    AND b.status = 'succeeded' AND b.mode <> 'pairwise' AND a.composite - b.composite >= 1))
                  AND (NOT @flagged OR cardinality(o.pii_flags) > 0
                       OR EXISTS (SELECT 1 FROM judgments j WHERE j.output_id = o.id AND cardinality(j.safety_flags) > 0))
                  AND (NOT @cutOff OR o.truncated)
                ORDER BY dvc.position, mc.position, coalesce(o.sample, 0)
                LIMIT @pageSize OFFSET @offset
            )
            SELECT s.output_id, s.position + 1 AS position, s.model, s.sample, cv.input::text AS input, cv.tags, cv.split,
                   o.status AS output_status, o.text AS output, o.error AS output_error, coalesce(o.truncated, false) AS truncated,
                   j.score, j.spread, coalesce(j.judged, 0) AS judged, coalesce(j.failed, 0) AS judge_failures,
                   coalesce(o.pii_flags, '{}') || coalesce(j.flags, '{}') AS flags, s.total::int AS total
            FROM shown s
            JOIN case_versions cv ON cv.case_id = s.case_id AND cv.version = s.case_version
            LEFT JOIN outputs o ON o.id = s.output_id
            LEFT JOIN LATERAL (
                SELECT avg(composite) FILTER (WHERE status = 'succeeded' AND mode <> 'pairwise') AS score,
                       max(composite) FILTER (WHERE status = 'succeeded' AND mode <> 'pairwise')
                         - min(composite) FILTER (WHERE status = 'succeeded' AND mode <> 'pairwise') AS spread,
                       count(*) FILTER (WHERE status = 'succeeded' AND mode <> 'pairwise')::int AS judged,
                       count(*) FILTER (WHERE status = 'failed')::int AS failed,
                       array(SELECT DISTINCT f FROM judgments jj, unnest(jj.safety_flags) f WHERE jj.output_id = s.output_id) AS flags
                FROM judgments WHERE output_id = s.output_id
            ) j ON s.output_id IS NOT NULL
            ORDER BY s.position, s.model_position, s.sample
            """,
            new
            {
                iterationId, failures = filter.Failures, criterion = Blank(filter.Criterion), below = filter.Below, tag = Blank(filter.Tag),
                split = Blank(filter.Split), disagreement = filter.Disagreement, flagged = filter.Flagged, cutOff = filter.CutOff,
                pageSize = ResultsFilter.PageSize, offset = (page - 1) * ResultsFilter.PageSize,
            }, cancellationToken: cancellationToken), (row, total) => (row, total), splitOn: "total")).ToList();
        return new ResultsPage(rows.Select(r => r.Row).ToList(), rows.Count == 0 ? 0 : rows[0].Total, page);
    }

    /// <summary>One output with its case and every judgment, or null when it does not exist.</summary>
    public async Task<OutputDetail?> GetOutputAsync(Guid outputId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition("""
            SELECT o.id, mr.iteration_id, dvc.position + 1 AS position, mc.model, o.sample, cv.input::text AS input, cv.expected_output, o.status,
                   o.text, o.error, o.truncated, o.pii_flags
            FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id JOIN model_configs mc ON mc.id = mr.model_config_id
            JOIN iterations i ON i.id = mr.iteration_id
            JOIN dataset_version_cases dvc ON dvc.dataset_version_id = i.dataset_version_id AND dvc.case_id = o.case_id
            JOIN case_versions cv ON cv.case_id = o.case_id AND cv.version = o.case_version
            WHERE o.id = @outputId;

            SELECT coalesce(jc.model, nullif(u.display_name, ''), u.email, 'a person') AS judge, j.mode, j.status, j.composite, j.scores::text AS scores,
                   j.rationales::text AS rationales, j.reasoning, j.safety_flags, j.suggestions::text AS suggestions, j.winner, j.error
            FROM judgments j JOIN judge_configs jc ON jc.id = j.judge_config_id LEFT JOIN users u ON u.id = jc.rater_user_id
            WHERE j.output_id = @outputId OR j.other_output_id = @outputId
            ORDER BY jc.position, j.created_at;
            """, new { outputId }, cancellationToken: cancellationToken));
        var o = await grid.ReadSingleOrDefaultAsync<OutputRow>();
        if (o is null)
        {
            return null;
        }

        var judgments = (await grid.ReadAsync<JudgmentRow>()).Select(j => new JudgmentDetail(j.Judge, j.Mode, j.Status, j.Composite,
            JsonSerializer.Deserialize<Dictionary<string, double>>(j.Scores, Json) ?? [],
            JsonSerializer.Deserialize<Dictionary<string, string>>(j.Rationales, Json) ?? [], j.Reasoning, j.SafetyFlags,
            JsonSerializer.Deserialize<List<string>>(j.Suggestions, Json) ?? [], j.Winner, j.Error)).ToList();
        return new OutputDetail(o.Id, o.IterationId, o.Position, o.Model, o.Sample, o.Input, o.ExpectedOutput, o.Status, o.Text, o.Error, o.Truncated,
            o.PiiFlags, judgments);
    }

    /// <summary>The iteration's answered outputs in case order, the sequence a rater walks through.</summary>
    public async Task<IReadOnlyList<Guid>> ListRatableOutputsAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<Guid>(new CommandDefinition("""
            SELECT o.id FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id JOIN model_configs mc ON mc.id = mr.model_config_id
            JOIN iterations i ON i.id = mr.iteration_id
            JOIN dataset_version_cases dvc ON dvc.dataset_version_id = i.dataset_version_id AND dvc.case_id = o.case_id
            WHERE mr.iteration_id = @iterationId AND o.status = 'succeeded'
            ORDER BY dvc.position, mc.position, o.sample
            LIMIT 5000
            """, new { iterationId }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>A person's earlier scores for an output, empty when they have not rated it.</summary>
    public async Task<IReadOnlyDictionary<string, int>> GetRatingAsync(Guid outputId, Guid raterId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var scores = await connection.ExecuteScalarAsync<string?>(new CommandDefinition("""
            SELECT j.scores::text FROM judgments j JOIN judge_configs jc ON jc.id = j.judge_config_id
            WHERE j.output_id = @outputId AND j.mode = 'human' AND jc.rater_user_id = @raterId
            """, new { outputId, raterId }, cancellationToken: cancellationToken));
        return scores is null ? new Dictionary<string, int>() : JsonSerializer.Deserialize<Dictionary<string, int>>(scores, Json) ?? [];
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private sealed class HeaderRow
    {
        public int ValidationCases { get; init; }
        public double Alpha { get; init; }
        public string ReviewMode { get; init; } = "";

        public Guid Id { get; init; }
        public Guid ExperimentId { get; init; }
        public string ExperimentName { get; init; } = "";
        public int Number { get; init; }
        public string Status { get; init; } = "";
        public bool IsPaused { get; init; }
        public int Version { get; init; }
        public string? Summary { get; init; }
        public string? Metrics { get; init; }
        public string? Comparison { get; init; }
        public string? StopDetails { get; init; }
        public decimal CostUsd { get; init; }
        public string Rubric { get; init; } = "";
        public Guid? PendingSuggestionId { get; init; }
        public long ChangeStamp { get; init; }
    }

    private sealed class PhaseRow
    {
        public string Purpose { get; init; } = "";
        public int Calls { get; init; }
        public int Failed { get; init; }
        public decimal CostUsd { get; init; }
    }


    private sealed class OutputRow
    {
        public Guid Id { get; init; }
        public Guid IterationId { get; init; }
        public int Position { get; init; }
        public string Model { get; init; } = "";
        public int Sample { get; init; }
        public string Input { get; init; } = "{}";
        public string? ExpectedOutput { get; init; }
        public string Status { get; init; } = "";
        public string Text { get; init; } = "";
        public string? Error { get; init; }
        public bool Truncated { get; init; }
        public string[] PiiFlags { get; init; } = [];
    }

    private sealed class JudgmentRow
    {
        public string Judge { get; init; } = "";
        public string Mode { get; init; } = "";
        public string Status { get; init; } = "";
        public double? Composite { get; init; }
        public string Scores { get; init; } = "{}";
        public string Rationales { get; init; } = "{}";
        public string Reasoning { get; init; } = "";
        public string[] SafetyFlags { get; init; } = [];
        public string Suggestions { get; init; } = "[]";
        public string? Winner { get; init; }
        public string? Error { get; init; }
    }

    /// The iteration's calls per phase and its cases' tags, kept together for a settled iteration (immutable, so the cache keeps
    /// the instance rather than a serialised copy).
    [ImmutableObject(true)]
    private sealed record PhasesAndTags(IReadOnlyList<PhaseCost> Phases, IReadOnlyList<string> Tags);
}

using System.Text.Json;
using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.Experiments;
using Edison.Core.Runs.Aggregation;
using Npgsql;

namespace Edison.Core.ReadModels;

/// <summary>Reads the experiment overview in one round trip, and the review queue across experiments.</summary>
public sealed class ExperimentOverviewQuery
{
    private static readonly JsonSerializerOptions Json = LoopJson.Options;
    private readonly NpgsqlDataSource _dataSource;

    internal ExperimentOverviewQuery(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>The overview, or null when the experiment does not exist.</summary>
    public async Task<ExperimentOverview?> GetAsync(Guid experimentId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        // The per-case maps in metrics are left out: the overview needs only the headline figures.
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition("""
            SELECT id, name, status, review_mode, rubric::text AS rubric, recommended_version_id, stop_reason, stop_details::text AS stop_details,
                   coalesce((stop_rules ->> 'alpha')::float8, 0.05) AS alpha,
                   (SELECT count(*) FROM datasets d
                    JOIN dataset_versions dv ON dv.dataset_id = d.id AND dv.version = d.current_version
                    JOIN dataset_version_cases dvc ON dvc.dataset_version_id = dv.id
                    JOIN case_versions cv ON cv.case_id = dvc.case_id AND cv.version = dvc.case_version
                    WHERE d.id = (SELECT d2.id FROM datasets d2 WHERE d2.experiment_id = experiments.id ORDER BY d2.created_at LIMIT 1)
                      AND cv.split = 'validation')::int AS validation_cases
            FROM experiments WHERE id = @experimentId;

            SELECT p.id, p.version, pp.version AS parent_version, p.changelog, p.labels, p.approved_at, p.created_at, p.suggestion_id,
                   coalesce(nullif(u.display_name, ''), u.email) AS approved_by_name, coalesce(s.auto_applied, false) AS auto_applied
            FROM prompt_versions p
            LEFT JOIN prompt_versions pp ON pp.id = p.parent_id
            LEFT JOIN users u ON u.id = p.approved_by
            LEFT JOIN suggestions s ON s.id = p.suggestion_id
            WHERE p.experiment_id = @experimentId ORDER BY p.version;

            SELECT i.id, i.number, i.status, i.is_paused, pv.version, (i.metrics - 'caseScores' - 'caseFlagRates' - 'caseSplits')::text AS metrics,
                   i.cost_usd, i.stop_reason, i.created_at
            FROM iterations i JOIN prompt_versions pv ON pv.id = i.prompt_version_id
            WHERE i.experiment_id = @experimentId ORDER BY i.number;
            """, new { experimentId }, cancellationToken: cancellationToken));
        var e = await grid.ReadSingleOrDefaultAsync<ExperimentRow>();
        if (e is null)
        {
            return null;
        }

        var versions = (await grid.ReadAsync<VersionNode>()).ToList();
        var iterations = (await grid.ReadAsync<IterationRow>()).Select(ToPoint).ToList();
        var pending = await ListPendingAsync(connection, experimentId, cancellationToken);
        return new ExperimentOverview(e.Id, e.Name, e.Status, e.ReviewMode, JsonSerializer.Deserialize<Rubric>(e.Rubric, Json)!,
            e.RecommendedVersionId, e.StopReason, e.StopDetails is null ? null : JsonSerializer.Deserialize<StopDecision>(e.StopDetails, Json),
            versions, iterations, pending)
        {
            ValidationCases = e.ValidationCases,
            Alpha = e.Alpha,
        };
    }

    /// <summary>Every suggestion of a project waiting for a person, across its experiments, oldest first.</summary>
    public async Task<IReadOnlyList<PendingSuggestion>> ListPendingAsync(Guid projectId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await ListPendingAsync(connection, null, cancellationToken, projectId);
    }

    private static async Task<IReadOnlyList<PendingSuggestion>> ListPendingAsync(NpgsqlConnection connection, Guid? experimentId,
        CancellationToken cancellationToken, Guid? projectId = null) =>
        (await connection.QueryAsync<PendingRow>(new CommandDefinition("""
            SELECT s.id, e.id AS experiment_id, e.name AS experiment_name, i.id AS iteration_id, i.number AS iteration_number,
                   pv.version AS source_version, s.note, s.created_at
            FROM suggestions s
            JOIN iterations i ON i.id = s.iteration_id
            JOIN experiments e ON e.id = i.experiment_id
            JOIN prompt_versions pv ON pv.id = s.source_version_id
            WHERE s.status = 'pending' AND i.status = 'reviewing' AND (@experimentId::uuid IS NULL OR e.id = @experimentId)
              AND (@projectId::uuid IS NULL OR e.project_id = @projectId)
            ORDER BY s.created_at
            LIMIT 500
            """, new { experimentId, projectId }, cancellationToken: cancellationToken)))
        .Select(r => new PendingSuggestion(r.Id, r.ExperimentId, r.ExperimentName, r.IterationId, r.IterationNumber, r.SourceVersion, r.Note,
            r.CreatedAt))
        .ToList();

    private static IterationPoint ToPoint(IterationRow r) => new(r.Id, r.Number, r.Status, r.IsPaused, r.Version,
        r.Metrics is null ? null : JsonSerializer.Deserialize<IterationMetrics>(r.Metrics, Json), r.CostUsd, r.StopReason, r.CreatedAt);

    private sealed class ExperimentRow
    {
        public Guid Id { get; init; }
        public string Name { get; init; } = "";
        public string Status { get; init; } = "";
        public string ReviewMode { get; init; } = "";
        public string Rubric { get; init; } = "";
        public Guid? RecommendedVersionId { get; init; }
        public string? StopReason { get; init; }
        public string? StopDetails { get; init; }
        public double Alpha { get; init; }
        public int ValidationCases { get; init; }
    }

    private sealed class IterationRow
    {
        public Guid Id { get; init; }
        public int Number { get; init; }
        public string Status { get; init; } = "";
        public bool IsPaused { get; init; }
        public int Version { get; init; }
        public string? Metrics { get; init; }
        public decimal CostUsd { get; init; }
        public string? StopReason { get; init; }
        public DateTime CreatedAt { get; init; }
    }

    private sealed class PendingRow
    {
        public Guid Id { get; init; }
        public Guid ExperimentId { get; init; }
        public string ExperimentName { get; init; } = "";
        public Guid IterationId { get; init; }
        public int IterationNumber { get; init; }
        public int SourceVersion { get; init; }
        public string Note { get; init; } = "";
        public DateTime CreatedAt { get; init; }
    }
}

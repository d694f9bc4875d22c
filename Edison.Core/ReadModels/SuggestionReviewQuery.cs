using System.Text.Json;
using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.Refining;
using Edison.Core.Runs.Aggregation;
using Npgsql;

namespace Edison.Core.ReadModels;

/// <summary>Reads one suggestion with everything a reviewer weighs, in one round trip.</summary>
public sealed class SuggestionReviewQuery
{
    private static readonly JsonSerializerOptions Json = LoopJson.Options;
    private readonly NpgsqlDataSource _dataSource;

    internal SuggestionReviewQuery(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>The suggestion, or null when it does not exist.</summary>
    public async Task<SuggestionDetails?> GetAsync(Guid suggestionId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition("""
            SELECT s.id, e.id AS experiment_id, e.name AS experiment_name, i.id AS iteration_id, i.number AS iteration_number,
                   i.status AS iteration_status, i.summary AS iteration_summary, pv.version AS source_version, pv.template AS source_template,
                   pv.system_text AS source_system_text, s.proposed_template, s.proposed_system_text, s.unified_diff, s.note,
                   s.hypotheses::text AS hypotheses, s.steps::text AS steps, s.target_criteria, s.status, s.error, s.attempt,
                   (i.metrics - 'caseScores' - 'caseFlagRates' - 'caseSplits')::text AS metrics, i.comparison::text AS comparison
            FROM suggestions s
            JOIN iterations i ON i.id = s.iteration_id
            JOIN experiments e ON e.id = i.experiment_id
            JOIN prompt_versions pv ON pv.id = s.source_version_id
            WHERE s.id = @suggestionId;

            SELECT r.decision, r.note, coalesce(nullif(u.display_name, ''), u.email) AS reviewer_name, r.created_at
            FROM reviews r LEFT JOIN users u ON u.id = r.reviewer_id
            WHERE r.suggestion_id = @suggestionId ORDER BY r.created_at;
            """, new { suggestionId }, cancellationToken: cancellationToken));
        var s = await grid.ReadSingleOrDefaultAsync<Row>();
        if (s is null)
        {
            return null;
        }

        var reviews = (await grid.ReadAsync<ReviewRow>()).Select(r => new ReviewEntry(r.Decision, r.Note, r.ReviewerName, r.CreatedAt)).ToList();
        var metrics = s.Metrics is null ? null : JsonSerializer.Deserialize<IterationMetrics>(s.Metrics, Json);
        return new SuggestionDetails(s.Id, s.ExperimentId, s.ExperimentName, s.IterationId, s.IterationNumber, s.IterationStatus, s.IterationSummary,
            s.SourceVersion, s.SourceTemplate, s.SourceSystemText, s.ProposedTemplate, s.ProposedSystemText, s.UnifiedDiff, s.Note,
            JsonSerializer.Deserialize<List<RefinerHypothesis>>(s.Hypotheses, Json) ?? [],
            JsonSerializer.Deserialize<List<RefinerStep>>(s.Steps, Json) ?? [],
            s.TargetCriteria, s.Status, s.Error, s.Attempt, metrics?.MeanScore, metrics?.CiLow, metrics?.CiHigh,
            s.Comparison is null ? null : JsonSerializer.Deserialize<VersionComparison>(s.Comparison, Json), reviews);
    }

    private sealed class Row
    {
        public Guid Id { get; init; }
        public Guid ExperimentId { get; init; }
        public string ExperimentName { get; init; } = "";
        public Guid IterationId { get; init; }
        public int IterationNumber { get; init; }
        public string IterationStatus { get; init; } = "";
        public string? IterationSummary { get; init; }
        public int SourceVersion { get; init; }
        public string SourceTemplate { get; init; } = "";
        public string SourceSystemText { get; init; } = "";
        public string? ProposedTemplate { get; init; }
        public string ProposedSystemText { get; init; } = "";
        public string UnifiedDiff { get; init; } = "";
        public string Note { get; init; } = "";
        public string Hypotheses { get; init; } = "[]";
        public string Steps { get; init; } = "[]";
        public string[] TargetCriteria { get; init; } = [];
        public string Status { get; init; } = "";
        public string? Error { get; init; }
        public int Attempt { get; init; }
        public string? Metrics { get; init; }
        public string? Comparison { get; init; }
    }

    private sealed class ReviewRow
    {
        public string Decision { get; init; } = "";
        public string Note { get; init; } = "";
        public string? ReviewerName { get; init; }
        public DateTime CreatedAt { get; init; }
    }
}

using System.Text.Json;
using Dapper;
using Npgsql;

namespace Edison.Core.Datasets.Coverage;

/// <summary>
/// Coverage of a dataset (cases per tag × difficulty × length, coloured by the latest iteration's scores) and the weaknesses
/// that iteration showed, which "Harden" aims new cases at.
/// </summary>
public sealed class CoverageService
{
    /// <summary>A case whose normalised score is below this failed.</summary>
    public const double FailBelow = 0.5;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly NpgsqlDataSource _dataSource;

    internal CoverageService(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>The heatmap of the dataset's current cases.</summary>
    public async Task<CoverageMap> MapAsync(Guid datasetId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var latest = await LatestIterationAsync(connection, datasetId, cancellationToken);
        var scores = latest is null ? [] : await CaseScoresAsync(connection, latest, cancellationToken);
        var cases = (await connection.QueryAsync<CaseRow>(new CommandDefinition("""
            SELECT id AS Id, position AS Position, tags AS Tags, difficulty AS Difficulty,
                   (SELECT coalesce(sum(length(CASE WHEN jsonb_typeof(v) = 'string' THEN v #>> '{}' ELSE v::text END)), 0)::int
                    FROM jsonb_each(input) AS kv(k, v)) AS Length
            FROM cases WHERE dataset_id = @datasetId AND NOT is_deleted ORDER BY position
            """, new { datasetId }, cancellationToken: cancellationToken)))
            .Select(c => new CoverageCase(c.Id, c.Position, c.Tags, c.Difficulty, c.Length, scores.TryGetValue(c.Id, out var s) ? s : null))
            .ToList();
        return CoverageGrid.Build(cases, latest?.Id, latest?.Number);
    }

    /// <summary>The weakest criterion, failing tags and failing cases of the latest scored iteration; null when none ran.</summary>
    public async Task<HardenTargets?> WeaknessesAsync(Guid datasetId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var latest = await LatestIterationAsync(connection, datasetId, cancellationToken);
        if (latest is null)
        {
            return null;
        }

        var rubric = JsonSerializer.Deserialize<RubricScales>(latest.Rubric, Json)!;
        var means = (await connection.QueryAsync<(string Criterion, double Mean)>(new CommandDefinition("""
            SELECT s.key, avg(s.value::double precision) FROM judgments j, jsonb_each_text(j.scores) s
            WHERE j.iteration_id = @Id AND j.status = 'succeeded' AND j.mode = 'pointwise' GROUP BY s.key
            """, new { latest.Id }, cancellationToken: cancellationToken))).ToList();
        var weakest = means
            .Select(m => (m.Criterion, Normalised: rubric.Criteria.FirstOrDefault(c => string.Equals(c.Name, m.Criterion, StringComparison.OrdinalIgnoreCase))
                is { } c && c.ScaleMax > c.ScaleMin ? (m.Mean - c.ScaleMin) / (c.ScaleMax - c.ScaleMin) : (double?)null))
            .Where(m => m.Normalised is not null)
            .OrderBy(m => m.Normalised).ThenBy(m => m.Criterion, StringComparer.Ordinal)
            .Select(m => ((string Criterion, double Normalised)?)(m.Criterion, m.Normalised!.Value))
            .FirstOrDefault();

        var scores = await CaseScoresAsync(connection, latest, cancellationToken);
        var failingIds = scores.Where(s => s.Value < FailBelow).OrderBy(s => s.Value).Select(s => s.Key).ToArray();
        var failing = (await connection.QueryAsync<(Guid Id, string Input, string? Expected, string[] Tags, string? Difficulty)>(new CommandDefinition("""
            SELECT id, input::text, expected_output, tags, difficulty FROM cases WHERE dataset_id = @datasetId AND id = ANY(@failingIds)
            """, new { datasetId, failingIds }, cancellationToken: cancellationToken))).ToDictionary(c => c.Id);
        var ordered = failingIds.Where(failing.ContainsKey).Select(id => failing[id]).ToList();
        var tags = ordered.SelectMany(c => c.Tags).GroupBy(t => t, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).ToList();
        var cases = ordered.Select(c => new CaseInput(JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(c.Input)!, c.Expected, c.Tags,
            c.Difficulty)).ToList();
        return new HardenTargets(latest.Id, latest.Number, weakest?.Criterion, weakest?.Normalised, tags, cases);
    }

    private static async Task<IterationRow?> LatestIterationAsync(NpgsqlConnection connection, Guid datasetId, CancellationToken cancellationToken) =>
        await connection.QueryFirstOrDefaultAsync<IterationRow>(new CommandDefinition("""
            SELECT i.id AS Id, i.number AS Number, e.rubric::text AS Rubric
            FROM iterations i
            JOIN dataset_versions dv ON dv.id = i.dataset_version_id
            JOIN experiments e ON e.id = i.experiment_id
            WHERE dv.dataset_id = @datasetId
              AND EXISTS (SELECT 1 FROM judgments j WHERE j.iteration_id = i.id AND j.status = 'succeeded' AND j.mode = 'pointwise')
            ORDER BY i.created_at DESC, i.number DESC LIMIT 1
            """, new { datasetId }, cancellationToken: cancellationToken));

    // Each case's mean pointwise composite in the iteration, on 0–1 over the rubric's widest scale; a failed answer scores 0.
    private static async Task<Dictionary<Guid, double>> CaseScoresAsync(NpgsqlConnection connection, IterationRow iteration,
        CancellationToken cancellationToken)
    {
        var rubric = JsonSerializer.Deserialize<RubricScales>(iteration.Rubric, Json)!;
        var min = rubric.Criteria.Min(c => c.ScaleMin);
        var max = rubric.Criteria.Max(c => c.ScaleMax);
        var rows = await connection.QueryAsync<(Guid CaseId, double? Composite, bool AllFailed)>(new CommandDefinition("""
            SELECT o.case_id, avg(j.composite), bool_and(o.status = 'failed')
            FROM outputs o
            JOIN model_runs mr ON mr.id = o.model_run_id
            LEFT JOIN judgments j ON j.output_id = o.id AND j.status = 'succeeded' AND j.mode = 'pointwise'
            WHERE mr.iteration_id = @Id
            GROUP BY o.case_id
            """, new { iteration.Id }, cancellationToken: cancellationToken));
        var scores = new Dictionary<Guid, double>();
        foreach (var (caseId, composite, allFailed) in rows)
        {
            if (composite is { } c && max > min)
            {
                scores[caseId] = Math.Clamp((c - min) / (max - min), 0, 1);
            }
            else if (allFailed)
            {
                scores[caseId] = 0;
            }
        }

        return scores;
    }

    private sealed class IterationRow
    {
        public Guid Id { get; init; }

        public int Number { get; init; }

        public string Rubric { get; init; } = "{}";
    }

    private sealed class CaseRow
    {
        public Guid Id { get; init; }

        public int Position { get; init; }

        public string[] Tags { get; init; } = [];

        public string? Difficulty { get; init; }

        public int Length { get; init; }
    }

    // The rubric's criteria as far as coverage needs them (names and scales), read from the experiment's stored JSON.
    private sealed record RubricScales(IReadOnlyList<CriterionScale> Criteria);

    private sealed record CriterionScale(string Name, int ScaleMin, int ScaleMax);
}

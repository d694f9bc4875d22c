using System.Text.Json;
using Dapper;
using Edison.Core.Prompts;
using Edison.Core.Security;
using Npgsql;

namespace Edison.Core.Api;

/// <summary>The reads and small writes the JSON API needs beyond the pages' services: versions, outputs and suggestions.</summary>
public sealed class ApiStore
{
    /// <summary>The label that marks the version running in production.</summary>
    public const string ProductionLabel = PromptVersionStore.ProductionLabel;

    private readonly NpgsqlDataSource _dataSource;
    private readonly PromptVersionStore _versions;

    internal ApiStore(NpgsqlDataSource dataSource, PromptVersionStore versions)
    {
        _dataSource = dataSource;
        _versions = versions;
    }

    /// <summary>Every prompt version of the experiment, oldest first.</summary>
    public async Task<IReadOnlyList<PromptVersionInfo>> ListVersionsAsync(Guid experimentId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<PromptVersionInfo>(new CommandDefinition(
            VersionSelect + " WHERE experiment_id = @experimentId ORDER BY version", new { experimentId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Version <paramref name="version"/> of the experiment, or null.</summary>
    public async Task<PromptVersionInfo?> GetVersionAsync(Guid experimentId, int version, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<PromptVersionInfo>(new CommandDefinition(
            VersionSelect + " WHERE experiment_id = @experimentId AND version = @version", new { experimentId, version },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The production version: the newest labelled <see cref="ProductionLabel"/>, else the one the loop recommended, else
    /// the newest approved, else version 1. Null when the experiment has no versions.
    /// </summary>
    public async Task<PromptVersionInfo?> GetProductionVersionAsync(Guid experimentId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QueryFirstOrDefaultAsync<PromptVersionInfo>(new CommandDefinition(VersionSelect + """
             pv WHERE experiment_id = @experimentId
            ORDER BY (@label = ANY (labels)) DESC,
                     (id = (SELECT recommended_version_id FROM experiments WHERE id = @experimentId)) DESC,
                     (approved_at IS NOT NULL) DESC, CASE WHEN approved_at IS NULL THEN -version ELSE version END DESC
            LIMIT 1
            """, new { experimentId, label = ProductionLabel }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Adds a version derived from <paramref name="parentVersion"/> (a hand-written candidate, e.g. from a pull request) and
    /// returns it; null when the parent does not exist.
    /// </summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<PromptVersionInfo?> CreateVersionAsync(Actor actor, Guid experimentId, int parentVersion, string template, string? systemText,
        string changelog, CancellationToken cancellationToken) =>
        await _versions.CreateAsync(actor, experimentId, parentVersion, template, systemText, changelog, cancellationToken) is { } id
            ? await GetVersionByIdAsync(id, cancellationToken)
            : null;

    /// <summary>Puts <paramref name="label"/> on one version of the experiment and takes it off the others.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public Task<bool> SetLabelAsync(Actor actor, Guid experimentId, int version, string label, CancellationToken cancellationToken) =>
        _versions.SetLabelAsync(actor, experimentId, version, label, cancellationToken);

    /// <summary>The iterations of an experiment, newest first, as (id, number, status, version).</summary>
    public async Task<IReadOnlyList<(Guid Id, int Number, string Status, int Version)>> ListIterationsAsync(Guid experimentId,
        CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(Guid, int, string, int)>(new CommandDefinition("""
            SELECT i.id, i.number, i.status, pv.version FROM iterations i JOIN prompt_versions pv ON pv.id = i.prompt_version_id
            WHERE i.experiment_id = @experimentId ORDER BY i.number DESC
            """, new { experimentId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>One page of an iteration's outputs in a stable order (model, case, sample).</summary>
    public async Task<Page<OutputRow>> ListOutputsAsync(Guid iterationId, int offset, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            SELECT count(*)::int FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id WHERE mr.iteration_id = @iterationId
            """, new { iterationId }, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<OutputRow>(new CommandDefinition("""
            SELECT o.id, o.case_id, mc.model, o.sample, o.status, o.text, o.error,
                   (SELECT avg(j.composite) FROM judgments j WHERE j.output_id = o.id AND j.status = 'succeeded' AND j.composite IS NOT NULL) AS score,
                   o.cost_usd, o.latency_ms
            FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id JOIN model_configs mc ON mc.id = mr.model_config_id
            JOIN cases c ON c.id = o.case_id
            WHERE mr.iteration_id = @iterationId
            ORDER BY mc.model, c.created_at, c.id, o.sample
            OFFSET @offset LIMIT @limit
            """, new { iterationId, offset, limit }, cancellationToken: cancellationToken));
        return new Page<OutputRow>(rows.AsList(), offset, limit, total);
    }

    /// <summary>The iteration's stored metrics JSON, or null before aggregation.</summary>
    public async Task<string?> GetMetricsJsonAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT metrics::text FROM iterations WHERE id = @iterationId", new { iterationId }, cancellationToken: cancellationToken));
    }

    /// <summary>The experiment's suggestions, newest first.</summary>
    public async Task<IReadOnlyList<SuggestionInfo>> ListSuggestionsAsync(Guid experimentId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<SuggestionInfo>(new CommandDefinition("""
            SELECT s.id, s.iteration_id, s.source_version_id, s.proposed_version_id, s.status, s.note, s.unified_diff, s.created_at
            FROM suggestions s JOIN iterations i ON i.id = s.iteration_id
            WHERE i.experiment_id = @experimentId ORDER BY s.created_at DESC
            """, new { experimentId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>The datasets of an experiment, oldest first.</summary>
    public async Task<IReadOnlyList<DatasetInfo>> ListDatasetsAsync(Guid experimentId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<DatasetInfo>(new CommandDefinition(DatasetSelect + " WHERE d.experiment_id = @experimentId ORDER BY d.created_at, d.id",
            new { experimentId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>One dataset, or null.</summary>
    public async Task<DatasetInfo?> GetDatasetAsync(Guid datasetId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<DatasetInfo>(new CommandDefinition(DatasetSelect + " WHERE d.id = @datasetId",
            new { datasetId }, cancellationToken: cancellationToken));
    }

    /// <summary>One page of an iteration's judgments in a stable order (output, judge, mode).</summary>
    public async Task<Page<JudgmentRow>> ListJudgmentsAsync(Guid iterationId, int offset, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            SELECT count(*)::int FROM judgments j JOIN outputs o ON o.id = j.output_id JOIN model_runs mr ON mr.id = o.model_run_id
            WHERE mr.iteration_id = @iterationId
            """, new { iterationId }, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<JudgmentDbRow>(new CommandDefinition("""
            SELECT j.id, j.output_id, j.judge_config_id, j.mode, j.status, j.composite, j.scores::text AS scores, j.reasoning,
                   j.rationales::text AS rationales, j.safety_flags, j.winner, j.error, j.created_at
            FROM judgments j JOIN outputs o ON o.id = j.output_id JOIN model_runs mr ON mr.id = o.model_run_id
            WHERE mr.iteration_id = @iterationId
            ORDER BY j.output_id, j.judge_config_id, j.mode, j.pair_key
            OFFSET @offset LIMIT @limit
            """, new { iterationId, offset, limit }, cancellationToken: cancellationToken));
        return new Page<JudgmentRow>(rows.Select(r => new JudgmentRow(r.Id, r.OutputId, r.JudgeConfigId, r.Mode, r.Status, r.Composite,
            JsonSerializer.Deserialize<JsonElement>(r.Scores), r.Reasoning, JsonSerializer.Deserialize<JsonElement>(r.Rationales), r.SafetyFlags,
            r.Winner, r.Error, r.CreatedAt)).ToList(), offset, limit, total);
    }

    private async Task<PromptVersionInfo?> GetVersionByIdAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<PromptVersionInfo>(new CommandDefinition(
            VersionSelect + " WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    private const string DatasetSelect = """
        SELECT d.id, d.project_id, d.experiment_id, d.name, d.kind, d.description, d.current_version,
               (SELECT count(*)::int FROM dataset_version_cases dvc JOIN dataset_versions dv ON dv.id = dvc.dataset_version_id
                WHERE dv.dataset_id = d.id AND dv.version = d.current_version) AS case_count,
               d.created_at
        FROM datasets d
        """;

    // A class with setters: Dapper maps text[] columns only through properties, not positional records.
    private sealed class JudgmentDbRow
    {
        public Guid Id { get; init; }

        public Guid OutputId { get; init; }

        public Guid JudgeConfigId { get; init; }

        public string Mode { get; init; } = "";

        public string Status { get; init; } = "";

        public double? Composite { get; init; }

        public string Scores { get; init; } = "{}";

        public string Reasoning { get; init; } = "";

        public string Rationales { get; init; } = "{}";

        public string[] SafetyFlags { get; init; } = [];

        public string? Winner { get; init; }

        public string? Error { get; init; }

        public DateTime CreatedAt { get; init; }
    }

    private const string VersionSelect = """
        SELECT id, version, parent_id AS ParentId, template, system_text AS SystemText, changelog, labels, created_at AS CreatedAt
        FROM prompt_versions
        """;
}

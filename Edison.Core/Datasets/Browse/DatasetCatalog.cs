using System.Text.Json;
using Dapper;
using Edison.Core.Security;
using Npgsql;

namespace Edison.Core.Datasets.Browse;

/// <summary>
/// Browsing and editing a project's datasets: the list, one page of cases (search, tag, split), tags, versions, and edits
/// and tagging, each of which freezes a new dataset version so iterations that ran the old one stay reproducible.
/// </summary>
public sealed class DatasetCatalog
{
    private static readonly HashSet<string> Difficulties = new(StringComparer.Ordinal) { "easy", "medium", "hard" };
    private readonly NpgsqlDataSource _dataSource;
    private readonly ProjectAccess _access;

    internal DatasetCatalog(NpgsqlDataSource dataSource, ProjectAccess access)
    {
        _dataSource = dataSource;
        _access = access;
    }

    /// <summary>The project's datasets, newest first.</summary>
    public async Task<IReadOnlyList<DatasetSummary>> ListAsync(Guid projectId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<DatasetSummary>(new CommandDefinition(Select + " WHERE d.project_id = @projectId ORDER BY d.created_at DESC, d.name",
            new { projectId }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>One dataset, or null.</summary>
    public async Task<DatasetSummary?> GetAsync(Guid datasetId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<DatasetSummary>(new CommandDefinition(Select + " WHERE d.id = @datasetId",
            new { datasetId }, cancellationToken: cancellationToken));
    }

    /// <summary>One page of the dataset's current cases matching <paramref name="query"/>, by position.</summary>
    public async Task<CasePage> CasesAsync(Guid datasetId, CaseQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var page = Math.Max(1, query.Page);
        var search = string.IsNullOrWhiteSpace(query.Search) ? null : "%" + EscapeLike(query.Search.Trim()) + "%";
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<CaseRow>(new CommandDefinition("""
            SELECT id AS Id, position AS Position, version AS Version, input::text AS Input, expected_output AS ExpectedOutput, tags AS Tags,
                   difficulty AS Difficulty, split AS Split, count(*) OVER ()::int AS Total
            FROM cases
            WHERE dataset_id = @datasetId AND NOT is_deleted
              AND (@search::text IS NULL OR input::text ILIKE @search OR coalesce(expected_output, '') ILIKE @search)
              AND (@tag::text IS NULL OR @tag = ANY(tags))
              AND (@split::text IS NULL OR split = @split)
            ORDER BY position
            LIMIT @pageSize OFFSET @offset
            """, new
            {
                datasetId, search, tag = Blank(query.Tag), split = Blank(query.Split), pageSize = CaseQuery.PageSize,
                offset = (page - 1) * CaseQuery.PageSize,
            }, cancellationToken: cancellationToken))).ToList();
        return new CasePage(rows.Select(r => r.ToCase()).ToList(), rows.FirstOrDefault()?.Total ?? 0, page);
    }

    /// <summary>One current case of the dataset, or null.</summary>
    public async Task<DatasetCase?> GetCaseAsync(Guid datasetId, Guid caseId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<DatasetCase>(new CommandDefinition("""
            SELECT id AS Id, position AS Position, version AS Version, input::text AS Input, expected_output AS ExpectedOutput, tags AS Tags,
                   difficulty AS Difficulty, split AS Split
            FROM cases WHERE dataset_id = @datasetId AND id = @caseId AND NOT is_deleted
            """, new { datasetId, caseId }, cancellationToken: cancellationToken));
    }

    /// <summary>The named current cases of the dataset, by position.</summary>
    public async Task<IReadOnlyList<DatasetCase>> CasesByIdAsync(Guid datasetId, IReadOnlyList<Guid> caseIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caseIds);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<DatasetCase>(new CommandDefinition("""
            SELECT id AS Id, position AS Position, version AS Version, input::text AS Input, expected_output AS ExpectedOutput, tags AS Tags,
                   difficulty AS Difficulty, split AS Split
            FROM cases WHERE dataset_id = @datasetId AND id = ANY(@ids) AND NOT is_deleted ORDER BY position
            """, new { datasetId, ids = caseIds.ToArray() }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>The tags of the dataset's current cases, most used first.</summary>
    public async Task<IReadOnlyList<TagCount>> TagsAsync(Guid datasetId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<TagCount>(new CommandDefinition("""
            SELECT t AS Tag, count(*)::int AS Cases FROM cases, unnest(tags) t
            WHERE dataset_id = @datasetId AND NOT is_deleted GROUP BY t ORDER BY count(*) DESC, t
            """, new { datasetId }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>The dataset's versions, newest first.</summary>
    public async Task<IReadOnlyList<DatasetVersionInfo>> VersionsAsync(Guid datasetId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<DatasetVersionInfo>(new CommandDefinition("""
            SELECT v.version AS Version, v.note AS Note, (SELECT count(*)::int FROM dataset_version_cases c WHERE c.dataset_version_id = v.id) AS Cases,
                   v.created_at AS CreatedAt
            FROM dataset_versions v WHERE v.dataset_id = @datasetId ORDER BY v.version DESC
            """, new { datasetId }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Replaces one case's variables, expected output, tags and difficulty (a new case and dataset version).</summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<CaseChange> EditAsync(Actor actor, Guid datasetId, Guid caseId, CaseInput edited, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(edited);
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.Dataset, datasetId, ProjectRole.Editor, cancellationToken);
        if (edited.Difficulty is not null && !Difficulties.Contains(edited.Difficulty))
        {
            return new CaseChange("Difficulty is easy, medium, hard or empty.", null, 0);
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (version, changed) = await DatasetStore.ReviseAsync(connection, transaction, datasetId, [(caseId, edited)], "Edited 1 case",
            cancellationToken);
        if (changed == 0)
        {
            return new CaseChange("Nothing changed: the case is as it was (or is not in this dataset).", null, 0);
        }

        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "dataset.case-edited", "dataset", datasetId, null,
            new { caseId, version }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new CaseChange(null, version, changed);
    }

    /// <summary>Adds <paramref name="tag"/> to each named case that lacks it (a new dataset version).</summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<CaseChange> TagAsync(Actor actor, Guid datasetId, IReadOnlyList<Guid> caseIds, string tag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caseIds);
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.Dataset, datasetId, ProjectRole.Editor, cancellationToken);
        var clean = (tag ?? "").Trim().ToLowerInvariant();
        if (clean.Length is 0 or > 50 || clean.Any(char.IsWhiteSpace))
        {
            return new CaseChange("A tag is one word of at most 50 characters (use - or _ between words).", null, 0);
        }

        if (caseIds.Count == 0)
        {
            return new CaseChange("Select at least one case to tag.", null, 0);
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var current = (await connection.QueryAsync<CaseRow>(new CommandDefinition("""
            SELECT id AS Id, input::text AS Input, expected_output AS ExpectedOutput, tags AS Tags, difficulty AS Difficulty
            FROM cases WHERE dataset_id = @datasetId AND NOT is_deleted AND id = ANY(@ids) AND NOT (@clean = ANY(tags))
            """, new { datasetId, ids = caseIds.ToArray(), clean }, transaction, cancellationToken: cancellationToken))).ToList();
        if (current.Count == 0)
        {
            return new CaseChange($"Every selected case already has the tag \"{clean}\".", null, 0);
        }

        var revisions = current.Select(c => (c.Id, new CaseInput(JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(c.Input)!,
            c.ExpectedOutput, [.. c.Tags, clean], c.Difficulty))).ToList();
        var (version, changed) = await DatasetStore.ReviseAsync(connection, transaction, datasetId, revisions,
            $"Tagged {revisions.Count} case{(revisions.Count == 1 ? "" : "s")} \"{clean}\"", cancellationToken);
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "dataset.cases-tagged", "dataset", datasetId, null,
            new { tag = clean, cases = changed, version }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new CaseChange(null, version, changed);
    }

    private const string Select = """
        SELECT d.id AS Id, d.project_id AS ProjectId, d.experiment_id AS ExperimentId, e.name AS ExperimentName, d.name AS Name, d.kind AS Kind,
               d.current_version AS CurrentVersion, (SELECT count(*)::int FROM cases c WHERE c.dataset_id = d.id AND NOT c.is_deleted) AS Cases,
               d.created_at AS CreatedAt
        FROM datasets d LEFT JOIN experiments e ON e.id = d.experiment_id
        """;

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private sealed class CaseRow
    {
        public Guid Id { get; init; }

        public int Position { get; init; }

        public int Version { get; init; }

        public string Input { get; init; } = "{}";

        public string? ExpectedOutput { get; init; }

        public string[] Tags { get; init; } = [];

        public string? Difficulty { get; init; }

        public string Split { get; init; } = SplitAssigner.Train;

        public int Total { get; init; }

        public DatasetCase ToCase() => new()
        {
            Id = Id, Position = Position, Version = Version, Input = Input, ExpectedOutput = ExpectedOutput, Tags = Tags, Difficulty = Difficulty,
            Split = Split,
        };
    }
}

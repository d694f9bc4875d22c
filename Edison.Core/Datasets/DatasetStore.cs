using System.Text.Json;
using Dapper;
using Edison.Core.Datasets.Splits;
using Edison.Core.Persistence;
using Npgsql;

namespace Edison.Core.Datasets;

/// Writes datasets in the caller's transaction: cases (their current state), case_versions (immutable history) and
/// dataset versions (frozen (case, version) lists). Rows go in as arrays, so 10,000 cases are three statements.
internal static class DatasetStore
{
    public const int DefaultSeed = 42;

    /// Creates a dataset with its cases (version 1 of each) and freezes them as dataset version 1.
    public static async Task<Guid> CreateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid projectId,
        Guid experimentId, string name, IReadOnlyList<CaseInput> cases, CancellationToken cancellationToken)
    {
        var (datasetId, _) = await CreateAsync(connection, transaction, projectId, experimentId, name, "golden",
            cases.Select(c => (c, (string?)null)).ToList(), "Created", cancellationToken);
        return datasetId;
    }

    /// Creates a dataset of <paramref name="kind"/> whose cases keep the split they name (else the seeded default).
    public static async Task<(Guid DatasetId, int Version)> CreateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        Guid projectId, Guid? experimentId, string name, string kind, IReadOnlyList<(CaseInput Case, string? Split)> cases, string note,
        CancellationToken cancellationToken)
    {
        var datasetId = Ids.New();
        var seed = DefaultSeed;
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO datasets (id, project_id, experiment_id, name, kind, split_seed, current_version)
            VALUES (@datasetId, @projectId, @experimentId, @name, @kind, @seed, 0)
            """, new { datasetId, projectId, experimentId, name, kind, seed }, transaction, cancellationToken: cancellationToken));
        await InsertCasesAsync(connection, transaction, datasetId, seed, 0, cases, cancellationToken);
        var version = await FreezeVersionAsync(connection, transaction, datasetId, note, cancellationToken);
        return (datasetId, version);
    }

    /// Appends cases after the dataset's last position and freezes a new dataset version holding old and new cases.
    public static async Task<int> AppendAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid datasetId,
        IReadOnlyList<(CaseInput Case, string? Split)> cases, string note, CancellationToken cancellationToken)
    {
        var (seed, next) = await connection.QuerySingleAsync<(int, int)>(new CommandDefinition("""
            SELECT d.split_seed, COALESCE((SELECT max(position) + 1 FROM cases WHERE dataset_id = d.id), 0)
            FROM datasets d WHERE d.id = @datasetId FOR UPDATE
            """, new { datasetId }, transaction, cancellationToken: cancellationToken));
        await InsertCasesAsync(connection, transaction, datasetId, seed, next, cases, cancellationToken);
        return await FreezeVersionAsync(connection, transaction, datasetId, note, cancellationToken);
    }

    /// Moves cases to other splits (a new case version each) and freezes a new dataset version.
    public static async Task<int> ChangeSplitsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid datasetId,
        IReadOnlyDictionary<Guid, string> splits, string note, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition("SELECT 1 FROM datasets WHERE id = @datasetId FOR UPDATE",
            new { datasetId }, transaction, cancellationToken: cancellationToken));
        var ids = splits.Keys.ToArray();
        var values = ids.Select(id => splits[id]).ToArray();
        var changed = (await connection.QueryAsync<Guid>(new CommandDefinition("""
            UPDATE cases c SET split = u.split, version = c.version + 1, updated_at = now()
            FROM unnest(@ids, @values) AS u(id, split)
            WHERE c.id = u.id AND c.dataset_id = @datasetId AND c.split <> u.split AND NOT c.is_deleted
            RETURNING c.id
            """, new { ids, values, datasetId }, transaction, cancellationToken: cancellationToken))).ToArray();
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO case_versions (case_id, version, input, expected_output, tags, difficulty, split)
            SELECT id, version, input, expected_output, tags, difficulty, split FROM cases WHERE id = ANY(@changed)
            """, new { changed }, transaction, cancellationToken: cancellationToken));
        return await FreezeVersionAsync(connection, transaction, datasetId, note, cancellationToken);
    }

    /// Replaces the content of cases (a new case version each, split kept) and freezes a new dataset version; returns
    /// (version, changed). Cases not in the dataset, deleted, or unchanged are left alone.
    public static async Task<(int Version, int Changed)> ReviseAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid datasetId,
        IReadOnlyList<(Guid Id, CaseInput Case)> revisions, string note, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition("SELECT 1 FROM datasets WHERE id = @datasetId FOR UPDATE",
            new { datasetId }, transaction, cancellationToken: cancellationToken));
        var ids = revisions.Select(r => r.Id).ToArray();
        var inputs = revisions.Select(r => JsonSerializer.Serialize(r.Case.Variables)).ToArray();
        var expected = revisions.Select(r => r.Case.ExpectedOutput).ToArray();
        var tags = revisions.Select(r => JsonSerializer.Serialize(r.Case.Tags)).ToArray();
        var difficulties = revisions.Select(r => r.Case.Difficulty).ToArray();
        var changed = (await connection.QueryAsync<Guid>(new CommandDefinition("""
            UPDATE cases c SET input = u.input::jsonb, expected_output = u.expected, tags = ARRAY(SELECT jsonb_array_elements_text(u.tags::jsonb)),
                   difficulty = u.difficulty, version = c.version + 1, updated_at = now()
            FROM unnest(@ids, @inputs, @expected, @tags, @difficulties) AS u(id, input, expected, tags, difficulty)
            WHERE c.id = u.id AND c.dataset_id = @datasetId AND NOT c.is_deleted
              AND (c.input <> u.input::jsonb OR c.expected_output IS DISTINCT FROM u.expected
                   OR c.tags <> ARRAY(SELECT jsonb_array_elements_text(u.tags::jsonb)) OR c.difficulty IS DISTINCT FROM u.difficulty)
            RETURNING c.id
            """, new { ids, inputs, expected, tags, difficulties, datasetId }, transaction, cancellationToken: cancellationToken))).ToArray();
        if (changed.Length == 0)
        {
            return (0, 0);
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO case_versions (case_id, version, input, expected_output, tags, difficulty, split)
            SELECT id, version, input, expected_output, tags, difficulty, split FROM cases WHERE id = ANY(@changed)
            """, new { changed }, transaction, cancellationToken: cancellationToken));
        return (await FreezeVersionAsync(connection, transaction, datasetId, note, cancellationToken), changed.Length);
    }

    private static async Task InsertCasesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid datasetId, int seed,
        int firstPosition, IReadOnlyList<(CaseInput Case, string? Split)> cases, CancellationToken cancellationToken)
    {
        var ids = cases.Select(_ => Ids.New()).ToArray();
        var positions = Enumerable.Range(firstPosition, cases.Count).ToArray();
        var inputs = cases.Select(c => JsonSerializer.Serialize(c.Case.Variables)).ToArray();
        var expected = cases.Select(c => c.Case.ExpectedOutput).ToArray();
        // A JSON body may leave tags out (null despite the type): no tags, not a database error.
        var tags = cases.Select(c => JsonSerializer.Serialize(c.Case.Tags ?? [])).ToArray();
        var difficulties = cases.Select(c => c.Case.Difficulty).ToArray();
        // A new dataset's unsplit cases get exact stratified counts (a hash bucket can leave a small dataset's validation split
        // empty); cases appended later take the per-position hash, so a new case never moves an old one.
        var exact = firstPosition == 0
            ? StratifiedSplitter.Assign(cases.Select((c, i) => (ids[i], c.Case.Tags)).Where((_, i) => cases[i].Split is null), seed)
            : null;
        var splits = cases.Select((c, i) => c.Split ?? exact?[ids[i]] ?? SplitAssigner.Assign(seed, positions[i])).ToArray();
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO cases (id, dataset_id, position, version, input, expected_output, tags, difficulty, split)
            SELECT u.id, @datasetId, u.position, 1, u.input::jsonb, u.expected,
                   ARRAY(SELECT jsonb_array_elements_text(u.tags::jsonb)), u.difficulty, u.split
            FROM unnest(@ids, @positions, @inputs, @expected, @tags, @difficulties, @splits)
                 AS u(id, position, input, expected, tags, difficulty, split);
            INSERT INTO case_versions (case_id, version, input, expected_output, tags, difficulty, split)
            SELECT id, 1, input, expected_output, tags, difficulty, split FROM cases WHERE id = ANY(@ids);
            """, new { datasetId, ids, positions, inputs, expected, tags, difficulties, splits }, transaction,
            cancellationToken: cancellationToken));
    }

    private static async Task<int> FreezeVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid datasetId,
        string note, CancellationToken cancellationToken)
    {
        var versionId = Ids.New();
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            WITH bumped AS (
                UPDATE datasets SET current_version = current_version + 1 WHERE id = @datasetId RETURNING current_version),
            version AS (
                INSERT INTO dataset_versions (id, dataset_id, version, note)
                SELECT @versionId, @datasetId, current_version, @note FROM bumped RETURNING version),
            frozen AS (
                INSERT INTO dataset_version_cases (dataset_version_id, case_id, case_version, position)
                SELECT @versionId, id, version, position FROM cases WHERE dataset_id = @datasetId AND NOT is_deleted)
            SELECT version FROM version
            """, new { datasetId, versionId, note }, transaction, cancellationToken: cancellationToken));
    }
}

using Dapper;
using Edison.Core.Security;
using Npgsql;

namespace Edison.Core.Datasets.Splits;

/// <summary>Stratified and manual split assignment; each change is a new dataset version, so earlier runs stay reproducible.</summary>
public sealed class DatasetSplitService
{
    private static readonly HashSet<string> Splits = new(StringComparer.Ordinal) { SplitAssigner.Train, SplitAssigner.Validation, SplitAssigner.Test };
    private readonly NpgsqlDataSource _dataSource;
    private readonly ProjectAccess _access;

    internal DatasetSplitService(NpgsqlDataSource dataSource, ProjectAccess access)
    {
        _dataSource = dataSource;
        _access = access;
    }

    /// <summary>The current number of cases per split.</summary>
    public async Task<SplitCounts> CountsAsync(Guid datasetId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await CountsAsync(connection, null, datasetId, cancellationToken);
    }

    /// <summary>Re-splits the dataset stratified by tag with <paramref name="seed"/> (the dataset's own seed when null).</summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<SplitChange> StratifyAsync(Actor actor, Guid datasetId, int? seed, CancellationToken cancellationToken)
    {
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.Dataset, datasetId, ProjectRole.Editor, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var datasetSeed = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT split_seed FROM datasets WHERE id = @datasetId FOR UPDATE", new { datasetId }, transaction, cancellationToken: cancellationToken));
        if (datasetSeed is null)
        {
            return new SplitChange("The dataset does not exist.", null, 0, new SplitCounts(0, 0, 0));
        }

        var cases = (await connection.QueryAsync<CaseTags>(new CommandDefinition(
            "SELECT id AS Id, tags AS Tags, split AS Split FROM cases WHERE dataset_id = @datasetId AND NOT is_deleted",
            new { datasetId }, transaction, cancellationToken: cancellationToken))).ToList();
        var assigned = StratifiedSplitter.Assign(cases.Select(c => (c.Id, (IReadOnlyList<string>)c.Tags)), seed ?? datasetSeed.Value);
        var moved = cases.Count(c => assigned[c.Id] != c.Split);
        var version = await DatasetStore.ChangeSplitsAsync(connection, transaction, datasetId, assigned,
            $"Stratified split by tag (seed {seed ?? datasetSeed.Value}), {moved} cases moved", cancellationToken);
        var counts = await CountsAsync(connection, transaction, datasetId, cancellationToken);
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "dataset.stratify", "dataset", datasetId, null,
            new { seed = seed ?? datasetSeed.Value, moved, version, counts }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new SplitChange(null, version, moved, counts);
    }

    /// <summary>Puts each named case in the named split (train, validation or test).</summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<SplitChange> AssignAsync(Actor actor, Guid datasetId, IReadOnlyDictionary<Guid, string> splits, CancellationToken cancellationToken)
    {
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.Dataset, datasetId, ProjectRole.Editor, cancellationToken);
        ArgumentNullException.ThrowIfNull(splits);
        var bad = splits.FirstOrDefault(s => !Splits.Contains(s.Value));
        if (bad.Value is not null)
        {
            return new SplitChange($"\"{bad.Value}\" is not a split: use train, validation or test.", null, 0, await CountsAsync(datasetId, cancellationToken));
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var current = (await connection.QueryAsync<CaseTags>(new CommandDefinition(
            "SELECT id AS Id, tags AS Tags, split AS Split FROM cases WHERE dataset_id = @datasetId AND NOT is_deleted AND id = ANY(@ids)",
            new { datasetId, ids = splits.Keys.ToArray() }, transaction, cancellationToken: cancellationToken))).ToList();
        if (current.Count != splits.Count)
        {
            return new SplitChange($"{splits.Count - current.Count} of the cases are not in this dataset.", null, 0,
                await CountsAsync(connection, transaction, datasetId, cancellationToken));
        }

        var moved = current.Count(c => splits[c.Id] != c.Split);
        var version = await DatasetStore.ChangeSplitsAsync(connection, transaction, datasetId, splits, $"Manual split: {moved} cases moved",
            cancellationToken);
        var counts = await CountsAsync(connection, transaction, datasetId, cancellationToken);
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "dataset.assign-splits", "dataset", datasetId, null,
            new { cases = splits.Count, moved, version, counts }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new SplitChange(null, version, moved, counts);
    }

    private static async Task<SplitCounts> CountsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid datasetId,
        CancellationToken cancellationToken) =>
        await connection.QuerySingleAsync<SplitCounts>(new CommandDefinition("""
            SELECT count(*) FILTER (WHERE split = 'train')::int AS Train, count(*) FILTER (WHERE split = 'validation')::int AS Validation,
                   count(*) FILTER (WHERE split = 'test')::int AS Test
            FROM cases WHERE dataset_id = @datasetId AND NOT is_deleted
            """, new { datasetId }, transaction, cancellationToken: cancellationToken));

    private sealed class CaseTags
    {
        public Guid Id { get; init; }

        public string[] Tags { get; init; } = [];

        public string Split { get; init; } = "";
    }
}

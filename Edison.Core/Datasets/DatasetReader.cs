using Dapper;
using Npgsql;

namespace Edison.Core.Datasets;

/// <summary>Reads the cases of a dataset version, as frozen (each case at the version the dataset version recorded).</summary>
public sealed class DatasetReader
{
    private readonly NpgsqlDataSource _dataSource;

    internal DatasetReader(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>The cases of <paramref name="version"/> (the current version when null), by position.</summary>
    public async Task<IReadOnlyList<DatasetCase>> GetCasesAsync(Guid datasetId, int? version, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<DatasetCase>(new CommandDefinition("""
            SELECT cv.case_id AS Id, dvc.position AS Position, cv.version AS Version, cv.input::text AS Input,
                   cv.expected_output AS ExpectedOutput, cv.tags AS Tags, cv.difficulty AS Difficulty, cv.split AS Split
            FROM datasets d
            JOIN dataset_versions dv ON dv.dataset_id = d.id AND dv.version = COALESCE(@version, d.current_version)
            JOIN dataset_version_cases dvc ON dvc.dataset_version_id = dv.id
            JOIN case_versions cv ON cv.case_id = dvc.case_id AND cv.version = dvc.case_version
            WHERE d.id = @datasetId
            ORDER BY dvc.position
            """, new { datasetId, version }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>The dataset's current version number (0 when it does not exist).</summary>
    public async Task<int> CurrentVersionAsync(Guid datasetId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT current_version FROM datasets WHERE id = @datasetId",
            new { datasetId }, cancellationToken: cancellationToken)) ?? 0;
    }
}

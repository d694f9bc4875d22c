using System.Text.Json;
using Dapper;
using Edison.Core.Persistence;
using Npgsql;

namespace Edison.Core.Datasets;

internal static class DatasetStore
{
    /// Creates a dataset with its cases (version 1 of each) and freezes them as dataset version 1.
    public static async Task<Guid> CreateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid projectId,
        Guid experimentId, string name, IReadOnlyList<CaseInput> cases, CancellationToken cancellationToken)
    {
        var datasetId = Ids.New();
        const int seed = 42;
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO datasets (id, project_id, experiment_id, name, kind, split_seed, current_version)
            VALUES (@datasetId, @projectId, @experimentId, @name, 'golden', @seed, 1)
            """, new { datasetId, projectId, experimentId, name, seed }, transaction, cancellationToken: cancellationToken));

        var versionId = Ids.New();
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO dataset_versions (id, dataset_id, version, note) VALUES (@versionId, @datasetId, 1, 'Created')",
            new { versionId, datasetId }, transaction, cancellationToken: cancellationToken));

        var rows = cases.Select((c, i) => new
        {
            Id = Ids.New(),
            DatasetId = datasetId,
            VersionId = versionId,
            Position = i,
            Input = JsonSerializer.Serialize(c.Variables),
            c.ExpectedOutput,
            Tags = c.Tags.ToArray(),
            c.Difficulty,
            Split = SplitAssigner.Assign(seed, i),
        }).ToList();
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO cases (id, dataset_id, position, version, input, expected_output, tags, difficulty, split)
            VALUES (@Id, @DatasetId, @Position, 1, @Input::jsonb, @ExpectedOutput, @Tags, @Difficulty, @Split);
            INSERT INTO case_versions (case_id, version, input, expected_output, tags, difficulty, split)
            VALUES (@Id, 1, @Input::jsonb, @ExpectedOutput, @Tags, @Difficulty, @Split);
            INSERT INTO dataset_version_cases (dataset_version_id, case_id, case_version, position)
            VALUES (@VersionId, @Id, 1, @Position);
            """, rows, transaction, cancellationToken: cancellationToken));
        return datasetId;
    }
}

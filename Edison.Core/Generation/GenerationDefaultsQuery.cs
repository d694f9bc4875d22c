using System.Text.Json;
using Dapper;
using Edison.Core.Datasets;
using Edison.Core.Prompts;
using Npgsql;

namespace Edison.Core.Generation;

/// <summary>Reads the <see cref="GenerationDefaults"/> of a dataset.</summary>
public sealed class GenerationDefaultsQuery
{
    private readonly NpgsqlDataSource _dataSource;

    internal GenerationDefaultsQuery(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>The defaults for generating into <paramref name="datasetId"/>, or null when it does not exist.</summary>
    public async Task<GenerationDefaults?> ForDatasetAsync(Guid datasetId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition("""
            SELECT d.project_id AS ProjectId, d.experiment_id AS ExperimentId, d.name AS Name, coalesce(e.goal, '') AS Goal,
                   (SELECT template FROM prompt_versions p WHERE p.experiment_id = e.id ORDER BY p.version DESC LIMIT 1) AS Template,
                   (SELECT credential_id FROM model_configs m WHERE m.experiment_id = e.id AND m.is_enabled ORDER BY m.position LIMIT 1) AS CredentialId,
                   (SELECT model FROM model_configs m WHERE m.experiment_id = e.id AND m.is_enabled ORDER BY m.position LIMIT 1) AS Model
            FROM datasets d LEFT JOIN experiments e ON e.id = d.experiment_id
            WHERE d.id = @datasetId
            """, new { datasetId }, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }

        var examples = (await connection.QueryAsync<(string Input, string? Expected, string[] Tags, string? Difficulty)>(new CommandDefinition("""
            SELECT input::text, expected_output, tags, difficulty FROM cases WHERE dataset_id = @datasetId AND NOT is_deleted ORDER BY position LIMIT 3
            """, new { datasetId }, cancellationToken: cancellationToken)))
            .Select(c => new CaseInput(JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(c.Input)!, c.Expected, c.Tags, c.Difficulty)).ToList();
        IReadOnlyList<string> variables = row.Template is not null && PromptTemplate.TryParse(row.Template, out var template, out _)
            ? template!.Variables
            : examples.SelectMany(e => e.Variables.Keys).Distinct(StringComparer.Ordinal).ToList();
        return new GenerationDefaults(row.ProjectId, row.ExperimentId, datasetId, row.Name, row.Goal, variables, row.CredentialId, row.Model, examples);
    }

    private sealed class Row
    {
        public Guid ProjectId { get; init; }

        public Guid? ExperimentId { get; init; }

        public string Name { get; init; } = "";

        public string Goal { get; init; } = "";

        public string? Template { get; init; }

        public Guid? CredentialId { get; init; }

        public string? Model { get; init; }
    }
}

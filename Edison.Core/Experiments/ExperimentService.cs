using System.Text.Json;
using Dapper;
using Edison.Core.Datasets;
using Edison.Core.Llm;
using Edison.Core.Persistence;
using Npgsql;

namespace Edison.Core.Experiments;

/// <summary>Creates experiments and reads them back for the pages.</summary>
public sealed class ExperimentService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly NpgsqlDataSource _dataSource;
    private readonly CredentialStore _credentials;

    internal ExperimentService(NpgsqlDataSource dataSource, CredentialStore credentials)
    {
        _dataSource = dataSource;
        _credentials = credentials;
    }

    /// <summary>Validates the draft and, when valid, stores the whole experiment in one transaction.</summary>
    public async Task<(Guid? Id, IReadOnlyDictionary<string, List<string>> Errors)> CreateAsync(ExperimentDraft draft,
        CancellationToken cancellationToken)
    {
        var errors = ExperimentValidation.Validate(draft, out var cases);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var projectId = await EnsureDefaultProjectAsync(connection, transaction, cancellationToken);
        var experimentId = Ids.New();
        var rubric = Rubric.SingleCriterion(draft.CriterionName.Trim(), draft.CriterionDescription.Trim());
        var credentialName = $"{draft.Model.Trim()} at {new Uri(draft.BaseUrl.Trim()).Host} ({experimentId.ToString("N")[^8..]})";
        var credentialId = await _credentials.CreateAsync(connection, transaction, projectId, credentialName,
            ProviderKinds.OpenAICompatible, new Uri(draft.BaseUrl.Trim()), draft.ApiKey.Trim(), cancellationToken);

        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO experiments (id, project_id, name, goal, rubric, stop_rules)
            VALUES (@experimentId, @projectId, @name, @goal, @rubric::jsonb, '{"maxIterations": 10}'::jsonb);
            INSERT INTO prompt_versions (id, experiment_id, version, template, system_text, changelog, labels)
            VALUES (@promptId, @experimentId, 1, @template, @systemText, 'Seed prompt', '{}');
            INSERT INTO model_configs (id, experiment_id, credential_id, model, display_name, position)
            VALUES (@modelConfigId, @experimentId, @credentialId, @model, @model, 0);
            INSERT INTO judge_configs (id, experiment_id, kind, credential_id, model, position)
            VALUES (@judgeConfigId, @experimentId, 'pointwise', @credentialId, @judgeModel, 0);
            """,
            new
            {
                experimentId, projectId, name = draft.Name.Trim(), goal = draft.Goal.Trim(), rubric = JsonSerializer.Serialize(rubric, Json),
                promptId = Ids.New(), template = draft.PromptTemplate, systemText = draft.SystemText, modelConfigId = Ids.New(),
                credentialId, model = draft.Model.Trim(), judgeConfigId = Ids.New(), judgeModel = draft.JudgeModel.Trim(),
            }, transaction, cancellationToken: cancellationToken));
        await DatasetStore.CreateAsync(connection, transaction, projectId, experimentId, "Test cases", cases, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (experimentId, errors);
    }

    /// <summary>Lists experiments, newest first, with their latest iteration.</summary>
    public async Task<IReadOnlyList<ExperimentSummary>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ExperimentSummary>(new CommandDefinition("""
            SELECT e.id, e.name, e.goal, e.created_at,
                   (SELECT count(*)::int FROM cases c JOIN datasets d ON d.id = c.dataset_id
                     WHERE d.experiment_id = e.id AND NOT c.is_deleted) AS case_count,
                   i.number AS last_iteration_number, i.status AS last_iteration_status, i.id AS last_iteration_id
            FROM experiments e
            LEFT JOIN LATERAL (SELECT id, number, status FROM iterations WHERE experiment_id = e.id ORDER BY number DESC LIMIT 1) i ON true
            ORDER BY e.created_at DESC
            LIMIT 200
            """, cancellationToken: cancellationToken));
        return rows.ToList();
    }

    /// <summary>Reads one experiment, or null when it does not exist.</summary>
    public async Task<ExperimentDetails?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<DetailsRow>(new CommandDefinition("""
            SELECT e.id, e.project_id, e.name, e.goal, e.rubric::text AS rubric, p.template AS prompt_template, p.system_text,
                   p.version AS prompt_version, m.model, j.model AS judge_model, coalesce(c.base_url, '') AS base_url, c.key_last4,
                   (SELECT count(*)::int FROM cases cs JOIN datasets d ON d.id = cs.dataset_id
                     WHERE d.experiment_id = e.id AND NOT cs.is_deleted) AS case_count
            FROM experiments e
            JOIN LATERAL (SELECT * FROM prompt_versions WHERE experiment_id = e.id ORDER BY version DESC LIMIT 1) p ON true
            JOIN LATERAL (SELECT * FROM model_configs WHERE experiment_id = e.id ORDER BY position LIMIT 1) m ON true
            JOIN LATERAL (SELECT * FROM judge_configs WHERE experiment_id = e.id ORDER BY position LIMIT 1) j ON true
            JOIN provider_credentials c ON c.id = m.credential_id
            WHERE e.id = @id
            """, new { id }, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }

        var iterations = await connection.QueryAsync<IterationSummary>(new CommandDefinition("""
            SELECT id, number, status, (metrics ->> 'meanScore')::double precision AS mean_score, cost_usd, created_at, finished_at
            FROM iterations WHERE experiment_id = @id ORDER BY number DESC
            """, new { id }, cancellationToken: cancellationToken));
        var rubric = JsonSerializer.Deserialize<Rubric>(row.Rubric, Json)!;
        return new ExperimentDetails(row.Id, row.ProjectId, row.Name, row.Goal, rubric, row.PromptTemplate, row.SystemText, row.PromptVersion,
            row.Model, row.JudgeModel, row.BaseUrl, row.KeyLast4, row.CaseCount, iterations.ToList());
    }

    private static async Task<Guid> EnsureDefaultProjectAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        CancellationToken cancellationToken)
    {
        // Accounts and projects arrive with the security work; until then everything lives in one project.
        // The lock makes two first experiments created at once share that project.
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtext('edison:default-project'))",
            transaction: transaction, cancellationToken: cancellationToken));
        var existing = await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "SELECT id FROM projects ORDER BY created_at LIMIT 1", transaction: transaction, cancellationToken: cancellationToken));
        if (existing is { } id)
        {
            return id;
        }

        id = Ids.New();
        await connection.ExecuteAsync(new CommandDefinition("INSERT INTO projects (id, name) VALUES (@id, 'Default project')",
            new { id }, transaction, cancellationToken: cancellationToken));
        return id;
    }

    private sealed record DetailsRow(Guid Id, Guid ProjectId, string Name, string Goal, string Rubric, string PromptTemplate, string SystemText,
        int PromptVersion, string Model, string JudgeModel, string BaseUrl, string KeyLast4, int CaseCount);
}

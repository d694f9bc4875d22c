using System.Text.Json;
using Dapper;
using Edison.Core.Datasets;
using Edison.Core.Llm;
using Edison.Core.Persistence;
using Edison.Core.Security;
using Edison.Core.Prompts;
using Npgsql;

namespace Edison.Core.Experiments;

/// <summary>Creates experiments and reads them back for the pages.</summary>
public sealed class ExperimentService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly NpgsqlDataSource _dataSource;
    private readonly CredentialStore _credentials;
    private readonly ProjectAccess _access;

    internal ExperimentService(NpgsqlDataSource dataSource, CredentialStore credentials, ProjectAccess access)
    {
        _dataSource = dataSource;
        _credentials = credentials;
        _access = access;
    }

    /// <summary>Validates the draft and, when valid, stores the whole experiment in the default project in one transaction.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public Task<(Guid? Id, IReadOnlyDictionary<string, List<string>> Errors)> CreateAsync(Actor actor, ExperimentDraft draft,
        CancellationToken cancellationToken) => CreateAsync(actor, null, draft, cancellationToken);

    /// <summary>Validates the draft and, when valid, stores the whole experiment in <paramref name="projectId"/> (the default project when null).</summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<(Guid? Id, IReadOnlyDictionary<string, List<string>> Errors)> CreateAsync(Actor actor, Guid? projectId, ExperimentDraft draft,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        projectId ??= await FirstProjectIdAsync(cancellationToken);
        await _access.EnsureRoleAsync(actor, projectId.Value, ProjectRole.Editor, cancellationToken);
        var errors = ExperimentValidation.Validate(draft, out var cases);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        if (draft.CredentialId is { } existing)
        {
            // A credential of another project answers as if it did not exist.
            await _access.EnsureInProjectAsync(ResourceKinds.Credential, existing, projectId.Value, cancellationToken);
        }
        else
        {
            // A new endpoint is a new credential, and only an admin creates credentials (an address is an outbound call).
            try
            {
                await _access.EnsureRoleAsync(actor, projectId.Value, ProjectRole.Admin, cancellationToken);
            }
            catch (ProjectAccessDeniedException)
            {
                return (null, new Dictionary<string, List<string>>(StringComparer.Ordinal)
                {
                    [nameof(draft.BaseUrl)] = ["Only an admin can add a new endpoint: pick one of the project's credentials."],
                });
            }
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        string credentialName;
        Guid credentialId;
        if (draft.CredentialId is { } chosen)
        {
            credentialId = chosen;
            credentialName = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
                "SELECT name FROM provider_credentials WHERE id = @chosen", new { chosen }, transaction, cancellationToken: cancellationToken)) ?? "";
        }
        else
        {
            credentialName = $"{draft.Model.Trim()} at {new Uri(draft.BaseUrl.Trim()).Host} ({Guid.NewGuid().ToString("N")[^8..]})";
            credentialId = await _credentials.CreateAsync(connection, transaction, projectId.Value, credentialName,
                ProviderKinds.OpenAICompatible, new Uri(draft.BaseUrl.Trim()), draft.ApiKey.Trim(), cancellationToken);
        }

        var definition = new ExperimentDefinition
        {
            Name = draft.Name.Trim(),
            Goal = draft.Goal.Trim(),
            Rubric = Rubric.SingleCriterion(draft.CriterionName.Trim(), draft.CriterionDescription.Trim()),
            PromptTemplate = draft.PromptTemplate,
            SystemText = draft.SystemText,
            Cases = cases,
            Models = [new ModelConfigDraft(credentialId, draft.Model.Trim())],
            Judges = [new JudgeConfigDraft(JudgeKinds.Pointwise, credentialId, draft.JudgeModel.Trim())],
            Refiner = string.IsNullOrWhiteSpace(draft.RefinerModel)
                ? new RefinerConfig()
                : new RefinerConfig { CredentialId = credentialId, Model = draft.RefinerModel.Trim() },
            StopRules = new StopRules(),
        };
        var experimentId = await InsertAsync(connection, transaction, projectId.Value, definition, cancellationToken);
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "experiment.create", "experiment", experimentId, null,
            new { name = definition.Name, models = definition.Models.Select(m => m.Model), credential = credentialName }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (experimentId, errors);
    }

    /// <summary>
    /// Validates a full definition (models, judges, refiner, stop rules) and, when valid, stores it in the default project
    /// in one transaction. The credentials it names must already exist in that project.
    /// </summary>
    [RequiresRole(ProjectRole.Editor)]
    public Task<(Guid? Id, IReadOnlyDictionary<string, List<string>> Errors)> CreateAsync(Actor actor, ExperimentDefinition definition,
        CancellationToken cancellationToken) => CreateAsync(actor, null, definition, cancellationToken);

    /// <summary>As <see cref="CreateAsync(Actor, ExperimentDefinition, CancellationToken)"/>, in <paramref name="projectId"/> (the default project when null).</summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<(Guid? Id, IReadOnlyDictionary<string, List<string>> Errors)> CreateAsync(Actor actor, Guid? projectId,
        ExperimentDefinition definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        projectId ??= await FirstProjectIdAsync(cancellationToken);
        await _access.EnsureRoleAsync(actor, projectId.Value, ProjectRole.Editor, cancellationToken);
        var errors = ExperimentDefinitionValidation.Validate(definition);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var credentialIds = definition.Models.Select(m => m.CredentialId).Concat(definition.Judges.Select(j => j.CredentialId))
            .Concat(definition.Refiner.CredentialId is { } r ? [r] : []).Distinct().ToArray();
        var known = (await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT id FROM provider_credentials WHERE project_id = @projectId AND id = ANY(@credentialIds)",
            new { projectId, credentialIds }, transaction, cancellationToken: cancellationToken))).ToHashSet();
        var unknown = credentialIds.Where(id => !known.Contains(id)).ToList();
        if (unknown.Count > 0)
        {
            return (null, new Dictionary<string, List<string>>(StringComparer.Ordinal)
            {
                [nameof(ExperimentDefinition.Models)] = [$"{unknown.Count} of the chosen credentials no longer exist; choose them again."],
            });
        }

        var experimentId = await InsertAsync(connection, transaction, projectId.Value, definition, cancellationToken);
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "experiment.create", "experiment", experimentId, null,
            new { name = definition.Name.Trim(), models = definition.Models.Select(m => m.Model.Trim()), cases = definition.Cases.Count }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (experimentId, errors);
    }

    private static async Task<Guid> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid projectId,
        ExperimentDefinition definition, CancellationToken cancellationToken)
    {
        var experimentId = Ids.New();
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO experiments (id, project_id, name, goal, rubric, safety_config, refiner_config, stop_rules, review_mode, jury_aggregation,
                                     checks, human_ratings_join_score)
            VALUES (@experimentId, @projectId, @name, @goal, @rubric::jsonb, @safety::jsonb, @refiner::jsonb, @stopRules::jsonb, @reviewMode,
                    @juryAggregation, @checks::jsonb, @humanRatingsJoinScore);
            """,
            new
            {
                experimentId, projectId, name = definition.Name.Trim(), goal = definition.Goal.Trim(),
                rubric = JsonSerializer.Serialize(definition.Rubric, Json), safety = JsonSerializer.Serialize(definition.Safety, Json),
                refiner = JsonSerializer.Serialize(definition.Refiner, Json), stopRules = JsonSerializer.Serialize(definition.StopRules, Json),
                reviewMode = definition.ReviewMode, juryAggregation = definition.JuryAggregation,
                checks = JsonSerializer.Serialize(definition.Checks, Json), humanRatingsJoinScore = definition.HumanRatingsJoinScore,
            }, transaction, cancellationToken: cancellationToken));
        await PromptVersionStore.CreateSeedAsync(connection, transaction, experimentId, Ids.New(), definition.PromptTemplate, definition.SystemText,
            cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO model_configs (id, experiment_id, credential_id, model, display_name, parameters, seed, samples_per_case, position)
            VALUES (@Id, @ExperimentId, @CredentialId, @Model, @DisplayName, @Parameters::jsonb, @Seed, @SamplesPerCase, @Position)
            """, definition.Models.Select((m, i) => new
            {
                Id = Ids.New(), ExperimentId = experimentId, m.CredentialId, Model = m.Model.Trim(),
                DisplayName = string.IsNullOrWhiteSpace(m.DisplayName) ? m.Model.Trim() : m.DisplayName.Trim(), Parameters = m.ParametersJson,
                m.Seed, m.SamplesPerCase, Position = i,
            }), transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO judge_configs (id, experiment_id, kind, credential_id, model, system_prompt, reasoning, position)
            VALUES (@Id, @ExperimentId, @Kind, @CredentialId, @Model, @SystemPrompt, @Reasoning, @Position)
            """, definition.Judges.Select((j, i) => new
            {
                Id = Ids.New(), ExperimentId = experimentId, j.Kind, j.CredentialId, Model = j.Model.Trim(), j.SystemPrompt, j.Reasoning,
                Position = i,
            }), transaction, cancellationToken: cancellationToken));
        await DatasetStore.CreateAsync(connection, transaction, projectId, experimentId, "Test cases", definition.Cases, cancellationToken);
        return experimentId;
    }

    /// <summary>Lists the default project's experiments, newest first, with their latest iteration.</summary>
    public async Task<IReadOnlyList<ExperimentSummary>> ListAsync(CancellationToken cancellationToken) =>
        await ListAsync(await DefaultProjectIdAsync(cancellationToken), cancellationToken);

    /// <summary>Lists a project's experiments, newest first, with their latest iteration.</summary>
    public async Task<IReadOnlyList<ExperimentSummary>> ListAsync(Guid projectId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ExperimentSummary>(new CommandDefinition("""
            SELECT e.id, e.name, e.goal, e.created_at,
                   (SELECT count(*)::int FROM cases c JOIN datasets d ON d.id = c.dataset_id
                     WHERE d.experiment_id = e.id AND NOT c.is_deleted) AS case_count,
                   i.number AS last_iteration_number, i.status AS last_iteration_status, i.id AS last_iteration_id
            FROM experiments e
            LEFT JOIN LATERAL (SELECT id, number, status FROM iterations WHERE experiment_id = e.id ORDER BY number DESC LIMIT 1) i ON true
            WHERE e.project_id = @projectId
            ORDER BY e.created_at DESC
            LIMIT 200
            """, new { projectId }, cancellationToken: cancellationToken));
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

    // The instance's first project, without creating one: nobody can be a member of a project that does not exist yet.
    private async Task<Guid> FirstProjectIdAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition("SELECT id FROM projects ORDER BY created_at LIMIT 1",
                cancellationToken: cancellationToken))
            ?? throw new ProjectAccessDeniedException("There is no project yet.") { NotAMember = true };
    }

    /// <summary>The project everything lives in until accounts and projects arrive; created on first use.</summary>
    public async Task<Guid> DefaultProjectIdAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var id = await EnsureDefaultProjectAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return id;
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

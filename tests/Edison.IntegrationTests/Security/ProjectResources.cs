using Dapper;
using Edison.Core.Experiments;
using Edison.Core.Persistence;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Security;

/// One real resource of every kind a Core method acts on, all in the instance's first project, made by its instance owner:
/// an experiment (with its credential, prompt version and dataset), an iteration, a suggestion, an output, a generation run
/// and an API token.
public sealed record ProjectResources(Actor InstanceOwner, Guid ProjectId, Guid ExperimentId, Guid CredentialId, Guid PromptVersionId,
    Guid DatasetId, Guid IterationId, Guid SuggestionId, Guid OutputId, Guid GenerationRunId, Guid TokenId)
{
    public static async Task<ProjectResources> CreateAsync(SecureWebFixture web, CancellationToken cancellationToken)
    {
        var services = web.Factory.Services;
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cancellationToken);
        var owner = new Actor(await connection.ExecuteScalarAsync<Guid>("SELECT id FROM users WHERE is_instance_owner"), RequestId: "setup");
        var projectId = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM projects ORDER BY created_at LIMIT 1");
        var (experimentId, errors) = await services.GetRequiredService<ExperimentService>().CreateAsync(owner, projectId, new ExperimentDraft
        {
            Name = "Core authorization", Goal = "Answer questions.", CriterionName = "Helpful", CriterionDescription = "Helps.",
            PromptTemplate = "Answer: {{ question }}", CasesJsonl = "{\"question\": \"What is 2+2?\"}", BaseUrl = "http://127.0.0.1:9/v1",
            ApiKey = "sk-core-authorization", Model = "m", JudgeModel = "j",
        }, cancellationToken);
        Assert.True(experimentId is not null, string.Join("; ", errors.SelectMany(e => e.Value)));
        var ids = new { experimentId, iterationId = Ids.New(), suggestionId = Ids.New(), modelRunId = Ids.New(), outputId = Ids.New(), runId = Ids.New(), projectId };
        await connection.ExecuteAsync("""
            INSERT INTO iterations (id, experiment_id, number, prompt_version_id, dataset_version_id, status)
            SELECT @iterationId, e.id, 1, (SELECT id FROM prompt_versions WHERE experiment_id = e.id LIMIT 1),
                   (SELECT dv.id FROM dataset_versions dv JOIN datasets d ON d.id = dv.dataset_id WHERE d.experiment_id = e.id LIMIT 1), 'reviewing'
            FROM experiments e WHERE e.id = @experimentId;
            INSERT INTO suggestions (id, iteration_id, source_version_id, proposed_template, unified_diff)
            SELECT @suggestionId, @iterationId, prompt_version_id, 'Answer well: {{ question }}', '' FROM iterations WHERE id = @iterationId;
            INSERT INTO model_runs (id, iteration_id, model_config_id)
            SELECT @modelRunId, @iterationId, id FROM model_configs WHERE experiment_id = @experimentId;
            INSERT INTO outputs (id, model_run_id, case_id, case_version, status, text)
            SELECT @outputId, @modelRunId, c.id, 1, 'succeeded', '4' FROM cases c JOIN datasets d ON d.id = c.dataset_id WHERE d.experiment_id = @experimentId;
            INSERT INTO generation_runs (id, project_id, experiment_id, request, requested) VALUES (@runId, @projectId, @experimentId, '{}', 1);
            """, ids);
        var (tokenId, _) = await services.GetRequiredService<ApiTokenService>().CreateAsync(owner, projectId, "Core authorization", ProjectRole.Viewer,
            cancellationToken);
        return new ProjectResources(owner, projectId, experimentId.Value,
            await connection.ExecuteScalarAsync<Guid>("SELECT credential_id FROM model_configs WHERE experiment_id = @experimentId", ids),
            await connection.ExecuteScalarAsync<Guid>("SELECT id FROM prompt_versions WHERE experiment_id = @experimentId", ids),
            await connection.ExecuteScalarAsync<Guid>("SELECT id FROM datasets WHERE experiment_id = @experimentId", ids),
            ids.iterationId, ids.suggestionId, ids.outputId, ids.runId, tokenId);
    }
}

using Edison.Testing;
using Dapper;
using Edison.Core.Experiments;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Security;

/// A project of its own for one test: a fresh owner (signed in), an experiment with its dataset, credentials and an iteration
/// moved into it, so deleting or exporting it touches every kind of row and nothing of the fixture's default project.
public sealed class OwnedProject
{
    private OwnedProject()
    {
    }

    public Guid ProjectId { get; private set; }

    public string Name { get; private set; } = "";

    public HttpClient Owner { get; private set; } = null!;

    public Guid OwnerId { get; private set; }

    public Guid ExperimentId { get; private set; }

    public Guid DatasetId { get; private set; }

    public Guid IterationId { get; private set; }

    public static async Task<OwnedProject> CreateAsync(SecureWebFixture web, CancellationToken cancellationToken)
    {
        var project = new OwnedProject { ProjectId = Guid.CreateVersion7(), Name = $"Project {Guid.NewGuid():N}"[..20] };
        (project.Owner, project.OwnerId) = await web.SignUpAsync($"project-owner-{Guid.NewGuid():N}@security.test", cancellationToken);
        var experiments = web.Factory.Services.GetRequiredService<ExperimentService>();
        var defaultOwner = await TestActors.OwnerAsync(web.Factory.Services, cancellationToken);
        var (experimentId, errors) = await experiments.CreateAsync(defaultOwner, new ExperimentDraft
        {
            Name = "Owned", Goal = "Answer questions.", CriterionName = "Helpful", CriterionDescription = "Helps.",
            PromptTemplate = "Answer: {{ question }}", CasesJsonl = "{\"question\": \"What is 2+2?\"}\n{\"question\": \"What is 3+3?\"}",
            BaseUrl = "http://127.0.0.1:9/v1", ApiKey = "sk-owned-project", Model = "m", JudgeModel = "j",
        }, cancellationToken);
        project.ExperimentId = experimentId ?? throw new InvalidOperationException(string.Join("; ", errors.SelectMany(e => e.Value)));

        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync("INSERT INTO projects (id, name, created_by) VALUES (@ProjectId, @Name, @OwnerId)", project);
        await connection.ExecuteAsync("INSERT INTO project_members (project_id, user_id, role) VALUES (@ProjectId, @OwnerId, 'owner')", project);
        // The experiment is created in the default project; move it and everything that names that project.
        await connection.ExecuteAsync("""
            UPDATE experiments SET project_id = @ProjectId WHERE id = @ExperimentId;
            UPDATE datasets SET project_id = @ProjectId WHERE experiment_id = @ExperimentId;
            UPDATE provider_credentials SET project_id = @ProjectId
            WHERE id IN (SELECT credential_id FROM model_configs WHERE experiment_id = @ExperimentId
                         UNION SELECT credential_id FROM judge_configs WHERE experiment_id = @ExperimentId);
            """, project);
        project.DatasetId = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM datasets WHERE experiment_id = @ExperimentId", project);
        project.IterationId = await connection.ExecuteScalarAsync<Guid>("""
            INSERT INTO iterations (id, experiment_id, number, prompt_version_id, dataset_version_id, status)
            SELECT @id, e.id, 1, (SELECT id FROM prompt_versions WHERE experiment_id = e.id LIMIT 1),
                   (SELECT dv.id FROM dataset_versions dv WHERE dv.dataset_id = @DatasetId LIMIT 1), 'completed'
            FROM experiments e WHERE e.id = @ExperimentId
            RETURNING id
            """, new { id = Guid.CreateVersion7(), project.ExperimentId, project.DatasetId });
        var modelRunId = Guid.CreateVersion7();
        await connection.ExecuteAsync("""
            INSERT INTO model_runs (id, iteration_id, model_config_id)
            SELECT @modelRunId, @IterationId, (SELECT id FROM model_configs WHERE experiment_id = @ExperimentId LIMIT 1);
            INSERT INTO outputs (id, model_run_id, case_id, case_version, status, text)
            SELECT @outputId, @modelRunId, c.id, 1, 'succeeded', 'Four' FROM cases c WHERE c.dataset_id = @DatasetId LIMIT 1;
            """, new { modelRunId, outputId = Guid.CreateVersion7(), project.IterationId, project.ExperimentId, project.DatasetId });
        await connection.ExecuteAsync("""
            INSERT INTO llm_calls (id, project_id, experiment_id, iteration_id, provider, model, purpose, status, started_at, finished_at)
            VALUES (@id, @ProjectId, @ExperimentId, @IterationId, 'openai', 'm', 'answer', 'succeeded', now(), now())
            """, new { id = Guid.CreateVersion7(), project.ProjectId, project.ExperimentId, project.IterationId });
        var tokens = web.Factory.Services.GetRequiredService<ApiTokenService>();
        await tokens.CreateAsync(new Actor(project.OwnerId), project.ProjectId, "owned", ProjectRole.Viewer, cancellationToken);
        return project;
    }
}

using Dapper;
using Edison.Core.Experiments;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Security;

/// One user per role in the default project, an outsider who belongs to no project, an experiment with an iteration in the
/// default project, and an experiment in a second project nobody here belongs to.
public sealed class SecurityScenario
{
    private SecurityScenario()
    {
    }

    public Dictionary<ProjectRole, HttpClient> Members { get; } = [];

    public HttpClient Outsider { get; private set; } = null!;

    public HttpClient Anonymous { get; private set; } = null!;

    public Guid ProjectId { get; private set; }

    public Guid ExperimentId { get; private set; }

    public Guid IterationId { get; private set; }

    public Guid OtherProjectExperimentId { get; private set; }

    /// The dataset of the default project's experiment, and of the other project's.
    public Guid DatasetId { get; private set; }

    public Guid OtherProjectDatasetId { get; private set; }

    /// A generation run in review in the default project, and one in the other project.
    public Guid GenerationRunId { get; private set; }

    public Guid OtherProjectGenerationRunId { get; private set; }

    public static async Task<SecurityScenario> CreateAsync(SecureWebFixture web, CancellationToken cancellationToken)
    {
        var scenario = new SecurityScenario();
        var experiments = web.Factory.Services.GetRequiredService<ExperimentService>();
        scenario.ProjectId = await experiments.DefaultProjectIdAsync(cancellationToken);
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cancellationToken);
        var owner = new Actor(await connection.ExecuteScalarAsync<Guid>("SELECT id FROM users WHERE is_instance_owner"));
        scenario.ExperimentId = await CreateExperimentAsync(experiments, owner, cancellationToken);
        scenario.OtherProjectExperimentId = await CreateExperimentAsync(experiments, owner, cancellationToken);

        var otherProject = Guid.CreateVersion7();
        await connection.ExecuteAsync("INSERT INTO projects (id, name) VALUES (@otherProject, 'Other project')", new { otherProject });
        await connection.ExecuteAsync("UPDATE experiments SET project_id = @otherProject WHERE id = @id",
            new { otherProject, id = scenario.OtherProjectExperimentId });
        await connection.ExecuteAsync("UPDATE datasets SET project_id = @otherProject WHERE experiment_id = @id",
            new { otherProject, id = scenario.OtherProjectExperimentId });
        scenario.DatasetId = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM datasets WHERE experiment_id = @ExperimentId",
            new { scenario.ExperimentId });
        scenario.OtherProjectDatasetId = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM datasets WHERE experiment_id = @id",
            new { id = scenario.OtherProjectExperimentId });
        scenario.GenerationRunId = await CreateGenerationRunAsync(connection, scenario.ProjectId);
        scenario.OtherProjectGenerationRunId = await CreateGenerationRunAsync(connection, otherProject);
        scenario.IterationId = await connection.ExecuteScalarAsync<Guid>("""
            INSERT INTO iterations (id, experiment_id, number, prompt_version_id, dataset_version_id, status)
            SELECT @id, e.id, 1000, (SELECT id FROM prompt_versions WHERE experiment_id = e.id LIMIT 1),
                   (SELECT dv.id FROM dataset_versions dv JOIN datasets d ON d.id = dv.dataset_id WHERE d.experiment_id = e.id LIMIT 1), 'completed'
            FROM experiments e WHERE e.id = @experimentId
            RETURNING id
            """, new { id = Guid.CreateVersion7(), experimentId = scenario.ExperimentId });

        scenario.Members[ProjectRole.Owner] = await web.SignInAsync(SecureWebFixture.OwnerEmail, cancellationToken);
        foreach (var role in new[] { ProjectRole.Admin, ProjectRole.Editor, ProjectRole.Reviewer, ProjectRole.Viewer })
        {
            var (client, userId) = await web.SignUpAsync($"{role.ToText()}-{Guid.NewGuid():N}@security.test", cancellationToken);
            await connection.ExecuteAsync("INSERT INTO project_members (project_id, user_id, role) VALUES (@ProjectId, @userId, @role)",
                new { scenario.ProjectId, userId, role = role.ToText() });
            scenario.Members[role] = client;
        }

        scenario.Outsider = (await web.SignUpAsync($"outsider-{Guid.NewGuid():N}@security.test", cancellationToken)).Client;
        scenario.Anonymous = web.NewClient();
        return scenario;
    }

    private static async Task<Guid> CreateGenerationRunAsync(Npgsql.NpgsqlConnection connection, Guid projectId) =>
        await connection.ExecuteScalarAsync<Guid>("""
            INSERT INTO generation_runs (id, project_id, request, requested, status) VALUES (@id, @projectId, '{}', 1, 'review') RETURNING id
            """, new { id = Guid.CreateVersion7(), projectId });

    private static async Task<Guid> CreateExperimentAsync(ExperimentService experiments, Actor owner, CancellationToken cancellationToken)
    {
        var (id, errors) = await experiments.CreateAsync(owner, new ExperimentDraft
        {
            Name = "Security matrix", Goal = "Answer questions.", CriterionName = "Helpful", CriterionDescription = "Helps.",
            PromptTemplate = "Answer: {{ question }}", CasesJsonl = "{\"question\": \"What is 2+2?\"}", BaseUrl = "http://127.0.0.1:9/v1",
            ApiKey = "sk-test", Model = "m", JudgeModel = "j",
        }, cancellationToken);
        return id ?? throw new InvalidOperationException(string.Join("; ", errors.SelectMany(e => e.Value)));
    }
}

using Edison.Testing;
using Dapper;
using Edison.Core.Experiments;
using Edison.IntegrationTests.Support;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Experiments;

/// <summary>Every shipped template becomes a valid experiment that runs one whole iteration on the provider simulator.</summary>
public sealed class TemplateExperimentTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private static readonly string[] Suggestions = ["Be more specific."];

    public static TheoryData<string> Templates => new(ExperimentTemplates.All.Select(t => t.Id));

    [Theory]
    [MemberData(nameof(Templates))]
    public async Task CreateFromTemplate_RunOneIteration_EveryCaseAnsweredJudgedOnEachCriterionAndChecked(string templateId)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var template = ExperimentTemplates.Find(templateId)!;
        var criteria = template.Rubric.Criteria.Select(c => c.Name).ToList();
        var tenant = fixture.Simulator.CreateTenant().Otherwise(r => SimulatedExperiment.IsJudgeCall(r)
            ? SimStep.ReplyJson(new
            {
                reasoning = "Compared the answer with the rubric.",
                scores = criteria.Select(c => new { criterion = c, score = 4, rationale = $"{c} is mostly met." }).ToArray(),
                suggestions = Suggestions,
                safetyFlags = Array.Empty<string>(),
            })
            : SimStep.Reply("A model answer."));
        var projectId = await CredentialScenario.ProjectAsync(fixture.Database.DataSource, cts.Token);
        var credentialId = await CredentialScenario.CreateAsync(fixture.Services, projectId,
            CredentialScenario.Draft(fixture.Simulator, tenant), cts.Token);
        var definition = new ExperimentDefinition
        {
            Name = template.Title,
            Goal = template.Goal,
            Rubric = template.Rubric,
            PromptTemplate = template.PromptTemplate,
            SystemText = template.SystemText,
            Cases = template.Cases,
            Models = [new ModelConfigDraft(credentialId, SimulatedExperiment.Model)],
            Judges = [new JudgeConfigDraft(JudgeKinds.Pointwise, credentialId, SimulatedExperiment.JudgeModel)],
            Checks = template.Checks,
        };

        var (id, errors) = await fixture.Services.GetRequiredService<ExperimentService>().CreateAsync(
            await TestActors.OwnerOfAsync(fixture.Database.DataSource, projectId, cts.Token), projectId, definition, cts.Token);
        Assert.True(id is not null, string.Join("; ", errors.SelectMany(e => e.Value)));
        var iterationId = await IterationDriver.RunAsync(fixture.Services, id.Value, cts.Token);

        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var status = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT status FROM iterations WHERE id = @iterationId", new { iterationId }, cancellationToken: cts.Token));
        var outputs = (await connection.QueryAsync<(string Status, int Checks)>(new CommandDefinition("""
            SELECT o.status, jsonb_array_length(o.checks) FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id
            WHERE mr.iteration_id = @iterationId
            """, new { iterationId }, cancellationToken: cts.Token))).ToList();
        var judged = await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT s.key FROM judgments j CROSS JOIN LATERAL jsonb_each(j.scores) s
            WHERE j.iteration_id = @iterationId AND j.mode = 'pointwise'
            """, new { iterationId }, cancellationToken: cts.Token));

        Assert.Equal("completed", status);
        Assert.Equal(template.Cases.Count, outputs.Count);
        Assert.All(outputs, o => Assert.Equal(("succeeded", template.Checks.Count), o));
        Assert.Equal(criteria.Order(StringComparer.Ordinal), judged.Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(template.Cases.Count * criteria.Count, judged.Count());
    }
}

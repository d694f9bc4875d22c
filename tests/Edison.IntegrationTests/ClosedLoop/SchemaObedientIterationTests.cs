using System.Text.Json;
using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.Datasets;
using Edison.Core.Experiments;
using Edison.Core.Llm;
using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.ClosedLoop;

/// <summary>
/// A whole iteration against providers that only promise the schema: the schema-obedient, content-blind simulator answers every
/// structured request with a minimal instance of the schema it was sent, through two wire formats (an OpenAI-compatible server
/// and Anthropic). Every verdict must count and the refiner must reach a suggestion.
/// </summary>
public sealed class SchemaObedientIterationTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private static readonly Rubric ThreeCriteria = new(
    [
        new RubricCriterion("Accuracy", "The answer is correct.", 0.5, 1, 5, Labels("Wrong", "Mostly wrong", "Partly right", "Mostly right", "Right")),
        new RubricCriterion("Clarity & tone", "The answer is clear and kind.", 0.3, 1, 5, Labels("Muddled", "Unclear", "Plain", "Clear", "Clear and kind")),
        new RubricCriterion("Brevity", "The answer is short.", 0.2, 1, 3, Labels("Long", "Padded", "Short")),
    ]);

    private static Dictionary<int, string> Labels(params string[] labels) =>
        labels.Select((label, i) => (Level: i + 1, label)).ToDictionary(x => x.Level, x => x.label);

    [Fact]
    public async Task Iteration_TwoModelsTwoJudgesOnSchemaObedientProviders_EveryVerdictValidAndASuggestion()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(SchemaObedience.Answer);
        var projectId = await CredentialScenario.ProjectAsync(fixture.Database.DataSource, cts.Token);
        var compatible = await CredentialScenario.CreateAsync(fixture.Services, projectId, CredentialScenario.Draft(fixture.Simulator, tenant), cts.Token);
        var anthropic = await CredentialScenario.CreateAsync(fixture.Services, projectId,
            new CredentialDraft($"anthropic {Guid.NewGuid():N}", ProviderKinds.Anthropic, fixture.Simulator.BaseUrl.ToString(), tenant.ApiKey), cts.Token);
        var definition = new ExperimentDefinition
        {
            Name = $"Schema-obedient {Guid.NewGuid():N}"[..28],
            Goal = "Answer the question correctly, clearly and briefly.",
            Rubric = ThreeCriteria,
            PromptTemplate = "Question: {{ question }}\nAnswer briefly.",
            SystemText = "You are a careful assistant.\nAnswer in English.",
            Cases = Enumerable.Range(1, 4).Select(i => new CaseInput(
                new Dictionary<string, JsonElement> { ["question"] = JsonSerializer.SerializeToElement($"question-{i}") }, null, [], null)).ToList(),
            Models = [new ModelConfigDraft(compatible, "gpt-4o-mini"), new ModelConfigDraft(anthropic, "claude-sonnet-4-5")],
            Judges = [new JudgeConfigDraft(JudgeKinds.Pointwise, compatible, "gpt-4o"), new JudgeConfigDraft(JudgeKinds.Pointwise, anthropic, "claude-opus-4-1")],
            Refiner = new RefinerConfig { CredentialId = anthropic, Model = "claude-sonnet-4-5" },
        };
        var (experimentId, errors) = await fixture.Services.GetRequiredService<ExperimentService>().CreateAsync(
            await TestActors.OwnerOfAsync(fixture.Database.DataSource, projectId, cts.Token), projectId, definition, cts.Token);
        Assert.True(experimentId is not null, string.Join("; ", errors.SelectMany(e => e.Value)));

        var iterationId = await IterationDriver.RunAsync(fixture.Services, experimentId.Value, cts.Token);
        Assert.Equal(IterationStatus.Refining, (await fixture.Services.GetRequiredService<IterationService>().GetAsync(iterationId, cts.Token))!.Status);
        await fixture.Services.GetRequiredService<RefinementService>().RefineAsync(iterationId, cts.Token);

        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var judgments = (await connection.QueryAsync<(string Status, double? Composite, string Scores, string? Error)>(new CommandDefinition(
            "SELECT status, composite, scores::text, error FROM judgments WHERE iteration_id = @iterationId", new { iterationId },
            cancellationToken: cts.Token))).ToList();
        Assert.Equal(2 * 2 * 4, judgments.Count);
        Assert.All(judgments, j =>
        {
            Assert.True(j.Status == "succeeded", j.Error);
            var scores = JsonSerializer.Deserialize<Dictionary<string, int>>(j.Scores)!;
            Assert.Equal(ThreeCriteria.Criteria.Select(c => c.Name).Order(), scores.Keys.Order());
            Assert.All(ThreeCriteria.Criteria, c => Assert.InRange(scores[c.Name], c.ScaleMin, c.ScaleMax));
            Assert.NotNull(j.Composite);
        });

        var suggestion = await connection.QuerySingleAsync<(string Status, string? Error, string Diff)>(new CommandDefinition(
            "SELECT status, error, unified_diff FROM suggestions WHERE iteration_id = @iterationId", new { iterationId }, cancellationToken: cts.Token));
        Assert.True(suggestion.Status == "pending", suggestion.Error);
        Assert.NotEqual("", suggestion.Diff);
        Assert.Contains(tenant.Requests, r => r.Provider == SimProvider.Anthropic);
        Assert.Contains(tenant.Requests, r => r.Provider == SimProvider.OpenAI);
    }
}

using Edison.Testing;
using System.Text.Json;
using Dapper;
using Edison.Core.Datasets.Coverage;
using Edison.Core.Experiments;
using Edison.Core.Generation;
using Edison.IntegrationTests.Datasets;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Generation;

/// <summary>
/// Coverage and hardening on a seeded dataset: after an iteration where the cases tagged <c>refund</c> fail on "Accuracy", the
/// heatmap shows exactly the thin cells as gaps and "Harden" asks the generating model (the simulator) for hard <c>refund</c>
/// cases aimed at "Accuracy", as harder variants of the failing cases, plus safety cases.
/// </summary>
public sealed class HardenTests(StudioFixture fixture) : IClassFixture<StudioFixture>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly string[] HardenedTags = ["refund", "hardened"];

    [Fact]
    public async Task Harden_AfterAnIterationWhereRefundCasesFail_GenerationTargetsRefundAndTheWeakestCriterion()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(_ => SimStep.ReplyJson(new
        {
            cases = Enumerable.Range(0, 10).Select(i => new
            {
                variables = new Dictionary<string, string> { ["question"] = $"hard refund case {i} with its own distinct wording number {i * 7919}" },
                tags = HardenedTags,
                difficulty = "hard",
            }).ToList(),
        }));
        var (datasetId, _) = await SeedAsync(tenant, cts.Token);

        var targets = await fixture.Services.GetRequiredService<CoverageService>().WeaknessesAsync(datasetId, cts.Token);
        var defaults = await fixture.Services.GetRequiredService<GenerationDefaultsQuery>().ForDatasetAsync(datasetId, cts.Token);
        var (request, error) = GenerationPlans.Harden(defaults!, targets!, 10);
        var generation = fixture.Services.GetRequiredService<GenerationService>();
        var runId = await generation.StartAsync(await TestActors.OwnerOfAsync(fixture.Database.DataSource, request!.ProjectId, cts.Token), request!, cts.Token);
        await generation.RunAsync(runId, cts.Token);

        Assert.Null(error);
        Assert.Equal("Accuracy", targets!.WeakestCriterion);
        Assert.Equal(["refund"], targets.FailingTags);
        Assert.Equal(4, targets.FailingCases.Count);
        var prompt = tenant.Requests.First(r => r.SchemaName == nameof(GeneratedBatch)).LastUserText;
        Assert.Contains("Cases tagged \"refund\" fail most", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("\"login\"", prompt, StringComparison.Ordinal);
        Assert.Contains("The weakest criterion is \"Accuracy\"", prompt, StringComparison.Ordinal);
        Assert.Contains("harder variants", prompt, StringComparison.Ordinal);
        Assert.Contains("I was charged twice for order 1", prompt, StringComparison.Ordinal);
        Assert.Contains("Make every case difficulty \"hard\"", prompt, StringComparison.Ordinal);
        Assert.Contains("\"prompt-injection\", \"jailbreak\", \"pii-bait\"", prompt, StringComparison.Ordinal);
        var run = (await generation.GetAsync(runId, cts.Token))!;
        Assert.Equal((GenerationStatus.Review, 10), (run.Status, run.UniqueCases));
        Assert.Equal(datasetId, run.DatasetId);
    }

    [Fact]
    public async Task Coverage_SeededDatasetAfterAnIteration_GapCellsAreTheThinOnesAndRefundCellsScoreLow()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var (datasetId, iterationId) = await SeedAsync(fixture.Simulator.CreateTenant(), cts.Token);

        var map = await fixture.Services.GetRequiredService<CoverageService>().MapAsync(datasetId, cts.Token);

        Assert.Equal(iterationId, map.IterationId);
        Assert.Equal(["login", "refund"], map.Tags);
        Assert.Equal(2 * 4 * 3, map.Cells.Count);
        Assert.Equal([("login", "easy", "short", 4), ("refund", "easy", "short", 3)],
            map.Cells.Where(c => !c.IsGap).Select(c => (c.Tag, c.Difficulty, c.Length, c.Count)));
        Assert.Equal(22, map.Gaps.Count());
        Assert.Equal(1, map.Cell("refund", "hard", "short").Count);
        Assert.Equal(1, map.Cell("login", "medium", "long").Count);
        Assert.Equal(0, map.Cell("login", "hard", "medium").Count);
        Assert.Equal(("low", 0.375), (map.Cell("refund", "easy", "short").Band, map.Cell("refund", "easy", "short").MeanScore!.Value));
        Assert.Equal(("high", 1.0), (map.Cell("login", "easy", "short").Band, map.Cell("login", "easy", "short").MeanScore!.Value));
    }

    /// An experiment on the simulator with 9 cases (4 refund, 5 login) and a completed iteration judged on two criteria:
    /// refund answers score Accuracy 1 and Tone 4, login answers 5 and 5.
    private async Task<(Guid DatasetId, Guid IterationId)> SeedAsync(SimTenant tenant, CancellationToken cancellationToken)
    {
        var projectId = await fixture.ProjectAsync(cancellationToken);
        var longQuestion = "My account is locked after the password change and " + string.Concat(Enumerable.Repeat("I tried every step of the help page again. ", 12));
        string[] lines =
        [
            Case("I was charged twice for order 1, please refund one charge.", "refund", "easy"),
            Case("Refund order 2: the parcel never arrived.", "refund", "easy"),
            Case("Can I get my money back for order 3?", "refund", "easy"),
            Case("Refund the gift card, it was never used.", "refund", "hard"),
            Case("I cannot log in.", "login", "easy"),
            Case("The login page says my password is wrong.", "login", "easy"),
            Case("Where do I reset my password?", "login", "easy"),
            Case("Two-factor code never arrives.", "login", "easy"),
            Case(longQuestion, "login", "medium"),
        ];
        var (experimentId, errors) = await fixture.Services.GetRequiredService<ExperimentService>().CreateAsync(
            await TestActors.OwnerOfAsync(fixture.Database.DataSource, projectId, cancellationToken), projectId, new ExperimentDraft
        {
            Name = "Support", Goal = "Answer customer-support questions politely and correctly.", CriterionName = "Accuracy",
            CriterionDescription = "Correct.", PromptTemplate = "Answer: {{ question }}", CasesJsonl = string.Join('\n', lines),
            BaseUrl = fixture.Simulator.OpenAIBaseUrl.ToString(), ApiKey = tenant.ApiKey, Model = "sim-answer", JudgeModel = "sim-judge",
        }, cancellationToken);
        Assert.True(experimentId is not null, string.Join("; ", errors.SelectMany(e => e.Value)));
        var rubric = new Rubric(
        [
            new RubricCriterion("Accuracy", "Correct.", 0.5, 1, 5, Labels()),
            new RubricCriterion("Tone", "Polite.", 0.5, 1, 5, Labels()),
        ]);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE experiments SET rubric = @rubric::jsonb WHERE id = @experimentId",
            new { rubric = JsonSerializer.Serialize(rubric, Json), experimentId }, cancellationToken: cancellationToken));
        var datasetId = await connection.ExecuteScalarAsync<Guid>(new CommandDefinition("SELECT id FROM datasets WHERE experiment_id = @experimentId",
            new { experimentId }, cancellationToken: cancellationToken));
        var iterationId = Guid.CreateVersion7();
        // The iteration's answers and verdicts are written as the runner and judge would store them: this test is about what
        // coverage and hardening read from a finished iteration, not about running one.
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO iterations (id, experiment_id, number, prompt_version_id, dataset_version_id, status)
            SELECT @iterationId, e.id, 1, (SELECT id FROM prompt_versions WHERE experiment_id = e.id LIMIT 1),
                   (SELECT dv.id FROM dataset_versions dv WHERE dv.dataset_id = @datasetId ORDER BY version DESC LIMIT 1), 'completed'
            FROM experiments e WHERE e.id = @experimentId;
            INSERT INTO model_runs (id, iteration_id, model_config_id)
            SELECT gen_random_uuid(), @iterationId, id FROM model_configs WHERE experiment_id = @experimentId;
            INSERT INTO outputs (id, model_run_id, case_id, case_version, status, text)
            SELECT gen_random_uuid(), mr.id, c.id, c.version, 'succeeded', 'an answer'
            FROM model_runs mr, cases c WHERE mr.iteration_id = @iterationId AND c.dataset_id = @datasetId;
            INSERT INTO judgments (id, iteration_id, output_id, judge_config_id, mode, status, scores, composite)
            SELECT gen_random_uuid(), @iterationId, o.id, (SELECT id FROM judge_configs WHERE experiment_id = @experimentId LIMIT 1), 'pointwise', 'succeeded',
                   CASE WHEN 'refund' = ANY(c.tags) THEN '{"Accuracy": 1, "Tone": 4}'::jsonb ELSE '{"Accuracy": 5, "Tone": 5}'::jsonb END,
                   CASE WHEN 'refund' = ANY(c.tags) THEN 2.5 ELSE 5 END
            FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id JOIN cases c ON c.id = o.case_id WHERE mr.iteration_id = @iterationId;
            """, new { iterationId, experimentId, datasetId }, cancellationToken: cancellationToken));
        return (datasetId, iterationId);
    }

    private static string Case(string question, string tag, string difficulty) =>
        JsonSerializer.Serialize(new { input = new { question }, tags = new[] { tag }, difficulty });

    private static Dictionary<int, string> Labels() => new() { [1] = "bad", [2] = "poor", [3] = "fair", [4] = "good", [5] = "excellent" };
}

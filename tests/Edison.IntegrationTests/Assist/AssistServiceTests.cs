using Dapper;
using Edison.Core.Assist;
using Edison.Core.Checks;
using Edison.Core.Experiments;
using Edison.IntegrationTests.Datasets;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Edison.Testing;

namespace Edison.IntegrationTests.Assist;

/// <summary>AI assist through the provider simulator: streamed text with its llm_calls row, drafts, improve diffs, rubric, seed prompt, draft the rest.</summary>
public sealed class AssistServiceTests(StudioFixture fixture) : IClassFixture<StudioFixture>
{
    private const string Goal = "Answer customer-support questions politely and correctly, as JSON with fields answer and category.";

    private AssistService Assist => fixture.Services.GetRequiredService<AssistService>();

    [Fact]
    public async Task StreamAsync_CompleteGoal_StreamsTheTextInChunksAndRecordsOneCallWithUsage()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        const string Continuation = " and never promise a refund the policy does not allow, citing the policy section that applies.";
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Reply(Continuation, inputTokens: 40, outputTokens: 18));
        var target = await TargetAsync(tenant, cts.Token);

        var chunks = new List<string>();
        await foreach (var chunk in Assist.StreamAsync(await TestActors.OwnerOfAsync(fixture.Services, target.ProjectId, cts.Token),
            new AssistRequest(target, AssistField.Goal, AssistMode.Complete, "", "Answer support questions politely"), cts.Token))
        {
            chunks.Add(chunk);
        }

        Assert.Equal(Continuation, string.Concat(chunks));
        Assert.True(chunks.Count > 1, "The reply arrived in one piece: nothing was streamed.");
        var request = Assert.Single(tenant.Requests);
        Assert.True(request.Stream);
        Assert.Contains("Continue this text from exactly where it stops", request.LastUserText, StringComparison.Ordinal);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var row = await connection.QuerySingleAsync<(string Purpose, string Status, int Input, int Output, string Text)>(new CommandDefinition(
            "SELECT purpose, status, input_tokens, output_tokens, response_text FROM llm_calls WHERE project_id = @ProjectId",
            new { target.ProjectId }, cancellationToken: cts.Token));
        Assert.Equal(("assist:complete:goal", "succeeded", 40, 18, Continuation), row);
    }

    public static TheoryData<AssistField> Fields => new(Enum.GetValues<AssistField>());

    [Theory]
    [MemberData(nameof(Fields))]
    public async Task DraftAsync_EachField_ThreeOptionsFromAFieldSpecificRequest(AssistField field)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(r => r.SchemaName == nameof(AssistOptionsAnswer)
            ? SimStep.ReplyJson(new { options = new[] { $"{field} one", $"{field} two", $"{field} three" } })
            : SimStep.Status(400));
        var target = await TargetAsync(tenant, cts.Token);

        var drafts = await Assist.DraftAsync(await TestActors.OwnerOfAsync(fixture.Services, target.ProjectId, cts.Token),
            new AssistRequest(target, field, AssistMode.Draft, Goal, ""), cts.Token);

        Assert.Null(drafts.Error);
        Assert.Equal([$"{field} one", $"{field} two", $"{field} three"], drafts.Options);
        var system = tenant.Requests.Single().Messages[0].Text;
        var expected = field switch
        {
            AssistField.Goal => "the goal of a prompt",
            AssistField.Rubric => "a rubric",
            AssistField.SeedPrompt => "a prompt template",
            AssistField.SystemText => "the system text",
            AssistField.FewShot => "few-shot examples",
            AssistField.JudgePrompt => "a judge's system prompt",
            _ => "test cases as JSON lines",
        };
        Assert.Contains(expected, system, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DraftAsync_TwoOptionsThenThree_RetriedWithTheErrorAndSucceeds()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(
            SimStep.ReplyJson(new { options = new List<string> { "a", "b" } }),
            SimStep.ReplyJson(new { options = new List<string> { "a", "b", "c" } }));
        var target = await TargetAsync(tenant, cts.Token);

        var drafts = await Assist.DraftAsync(await TestActors.OwnerOfAsync(fixture.Services, target.ProjectId, cts.Token),
            new AssistRequest(target, AssistField.SystemText, AssistMode.Draft, Goal, ""), cts.Token);

        Assert.Equal(["a", "b", "c"], drafts.Options);
        Assert.Contains("Give exactly three non-empty options.", tenant.Requests[1].LastUserText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImproveAsync_JudgePrompt_UnifiedDiffAgainstTheCurrentTextWithReasons()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        const string Current = "Score the answer.\nBe fair.\n";
        const string Improved = "Score the answer against each rubric criterion.\nBe fair.\nQuote the sentence that justifies each score.\n";
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.ReplyJson(new
        {
            improved = Improved,
            reasons = new List<string> { "Ties scores to the rubric.", "Evidence makes scores checkable." },
        }));
        var target = await TargetAsync(tenant, cts.Token);

        var result = await Assist.ImproveAsync(await TestActors.OwnerOfAsync(fixture.Services, target.ProjectId, cts.Token),
            new AssistRequest(target, AssistField.JudgePrompt, AssistMode.Improve, Goal, Current), cts.Token);

        Assert.Null(result.Error);
        Assert.Equal(Improved, result.Improved);
        Assert.Contains("--- current/JudgePrompt", result.UnifiedDiff, StringComparison.Ordinal);
        Assert.Contains("-Score the answer.\n", result.UnifiedDiff, StringComparison.Ordinal);
        Assert.Contains("+Score the answer against each rubric criterion.\n", result.UnifiedDiff, StringComparison.Ordinal);
        Assert.Contains("+Quote the sentence that justifies each score.", result.UnifiedDiff, StringComparison.Ordinal);
        Assert.Contains(" Be fair.", result.UnifiedDiff, StringComparison.Ordinal);
        Assert.Equal(2, result.Reasons.Count);
        Assert.Contains(Current, tenant.Requests[0].LastUserText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuggestRubricAsync_Goal_WeightsNormalisedAndFiveLabelsPerCriterion()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(Rubric());
        var target = await TargetAsync(tenant, cts.Token);

        var (rubric, error) = await Assist.SuggestRubricAsync(await TestActors.OwnerOfAsync(fixture.Services, target.ProjectId, cts.Token),
            target, Goal, cts.Token);

        Assert.Null(error);
        Assert.Equal(["Correctness", "Politeness"], rubric!.Criteria.Select(c => c.Name));
        Assert.Equal([0.75, 0.25], rubric.Criteria.Select(c => c.Weight));
        Assert.All(rubric.Criteria, c => Assert.Equal([1, 2, 3, 4, 5], c.Labels.Keys.Order()));
    }

    [Fact]
    public async Task DraftSeedPromptAsync_FirstAnswerLeavesACriterionUnserved_RetriedAndExplanationNamesTechniquePerCriterion()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(
            Seed(["Correctness"]),
            Seed(["Correctness", "Politeness"]));
        var target = await TargetAsync(tenant, cts.Token);
        var rubric = new Rubric([Criterion("Correctness", 0.75), Criterion("Politeness", 0.25)]);

        var (draft, error) = await Assist.DraftSeedPromptAsync(await TestActors.OwnerOfAsync(fixture.Services, target.ProjectId, cts.Token),
            target, Goal, rubric, ["question"], [], cts.Token);

        Assert.Null(error);
        Assert.Equal("v1", draft!.MetaPromptVersion);
        Assert.Contains("{{ question }}", draft.Template, StringComparison.Ordinal);
        Assert.Equal(["Correctness", "Politeness"], draft.Techniques.Select(t => t.Criterion));
        Assert.Equal(AssistService.SeedPromptMetaPromptText, tenant.Requests[0].Messages[0].Text);
        Assert.Contains("Task decomposition", AssistService.SeedPromptMetaPromptText, StringComparison.Ordinal);
        Assert.Contains("No technique serves the criteria: Politeness.", tenant.Requests[1].LastUserText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DraftTheRestAsync_GoalAlone_DefinitionWithRubricSeedPromptFortyTaggedCasesTwoJudgesTheAssistModelAsRefinerStopRulesAndChecks()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(r => r.SchemaName switch
        {
            nameof(RubricAnswer) => Rubric(),
            nameof(SeedPromptAnswer) => Seed(["Correctness", "Politeness"]),
            "GeneratedBatch" => SimStep.ReplyJson(new
            {
                cases = Enumerable.Range(0, 44).Select(i => new
                {
                    variables = new Dictionary<string, string> { ["question"] = $"Question {i} about order {i * 7919} and a different topic {i * 31}" },
                    tags = new[] { i % 2 == 0 ? "refund" : "login" },
                    difficulty = "easy",
                }).ToList(),
            }),
            _ => SimStep.Status(400),
        });
        var target = await TargetAsync(tenant, cts.Token);

        var result = await Assist.DraftTheRestAsync(await TestActors.OwnerOfAsync(fixture.Services, target.ProjectId, cts.Token),
            target, Goal, budgetUsd: 5m, cts.Token);

        Assert.Empty(result.Problems);
        var definition = result.Definition!;
        Assert.Equal(2, definition.Rubric.Criteria.Count);
        Assert.Contains("{{ question }}", definition.PromptTemplate, StringComparison.Ordinal);
        Assert.Equal(AssistService.DraftCases, definition.Cases.Count);
        Assert.Equal(40, definition.Cases.Count);
        Assert.All(definition.Cases, c => Assert.NotEmpty(c.Tags));
        Assert.Equal(2, definition.Judges.Count);
        Assert.Equal((target.CredentialId, target.Model), (definition.Refiner.CredentialId, definition.Refiner.Model));
        Assert.Equal(5m, definition.StopRules.BudgetUsd);
        Assert.Contains(definition.Checks, c => c.Kind == CheckKinds.JsonSchema && c.Value!.Contains("\"category\"", StringComparison.Ordinal));
        Assert.Equal(3, tenant.Requests.Count);
    }

    [Fact]
    public async Task DraftTheRestAsync_RubricSpendsTheBudget_StopsBeforeTheSeedPromptAndReportsTheRecordedCost()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // gpt-4o-mini at $0.15 in / $0.60 out per million tokens: this rubric costs $0.75.
        var rubricJson = """
            {"criteria": [{"name": "Correctness", "description": "Facts right.", "weight": 1, "labels": ["a", "b", "c", "d", "e"]}]}
            """;
        var tenant = fixture.Simulator.CreateTenant().Otherwise(_ => SimStep.Reply(rubricJson, inputTokens: 1_000_000, outputTokens: 1_000_000));
        var target = await TargetAsync(tenant, cts.Token, "gpt-4o-mini");

        var result = await Assist.DraftTheRestAsync(await TestActors.OwnerOfAsync(fixture.Services, target.ProjectId, cts.Token),
            target, Goal, budgetUsd: 0.5m, cts.Token);

        Assert.Null(result.Definition);
        Assert.Equal(0.75m, result.CostUsd);
        Assert.Equal("Drafting spent $0.75 by the rubric, the whole budget of $0.5: the rest was not drafted, and the loop would have nothing left.",
            Assert.Single(result.Problems));
        Assert.Single(tenant.Requests);
    }

    private async Task<AssistTarget> TargetAsync(SimTenant tenant, CancellationToken cancellationToken, string model = "sim-assist")
    {
        var projectId = await fixture.ProjectAsync(cancellationToken);
        return new AssistTarget(projectId, await fixture.CredentialAsync(projectId, tenant, cancellationToken), model);
    }

    private static RubricCriterion Criterion(string name, double weight) =>
        new(name, name, weight, 1, 5, Enumerable.Range(1, 5).ToDictionary(i => i, i => $"level {i}"));

    private static SimStep Rubric() => SimStep.ReplyJson(new
    {
        criteria = new[]
        {
            new { name = "Correctness", description = "Facts right.", weight = 3.0, labels = new List<string> { "wrong", "mostly wrong", "mixed", "mostly right", "right" } },
            new { name = "Politeness", description = "Kind tone.", weight = 1.0, labels = new List<string> { "rude", "curt", "neutral", "kind", "warm" } },
        },
    });

    private static SimStep Seed(string[] criteria) => SimStep.ReplyJson(new
    {
        systemText = "You are a senior support agent.",
        template = "Answer the customer's question.\n<question>{{ question }}</question>\nReply as JSON with answer and category.",
        variables = new List<string> { "question" },
        techniques = criteria.Select(c => new { technique = c == "Correctness" ? "Task decomposition" : "Role", criterion = c, why = "Serves " + c }).ToList(),
    });
}

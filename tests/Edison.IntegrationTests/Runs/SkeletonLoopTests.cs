using Dapper;
using Edison.Core.Experiments;
using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using Edison.Testing;
using Edison.Core.Security;

namespace Edison.IntegrationTests.Runs;

/// <summary>
/// The skeleton loop end to end below the UI: an iteration started through <see cref="IterationService"/> is executed and
/// judged by a real worker process against the simulator, and its rows and figures come out exactly as scripted.
/// </summary>
public sealed class SkeletonLoopTests(WorkerLoopFixture fixture, ITestOutputHelper output) : IClassFixture<WorkerLoopFixture>
{
    private ExperimentService Experiments => fixture.Services.GetRequiredService<ExperimentService>();

    private IterationService Iterations => fixture.Services.GetRequiredService<IterationService>();

    [Fact]
    public async Task StartAsync_SimulatedModelAndJudge_CompletesWithOneOutputAndOneJudgmentPerCase()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        const int Cases = 5;
        var tenant = fixture.Simulator.CreateTenant().Otherwise(SimulatedExperiment.Respond);
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services, SimulatedExperiment.Draft(fixture.Simulator, tenant, Cases), cts.Token);

        var started = await Iterations.StartAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.Experiment, experimentId, cts.Token),
            experimentId, cts.Token);

        Assert.Null(started.Error);
        var iterationId = started.IterationId!.Value;
        await DiagnoseAsync(async () =>
        {
            var view = await IterationAssertions.WaitUntilFinishedAsync(Iterations, iterationId, cts.Token);
            Assert.Equal(IterationStatus.Completed, view.Status);
            Assert.Equal((Cases, Cases, Cases, Cases), (view.OutputsDone, view.OutputsTotal, view.JudgmentsDone, view.JudgmentsTotal));
            Assert.Equal((0, 0), (view.FailedOutputs, view.FailedJudgments));
            Assert.Equal(Enumerable.Range(1, Cases).Average(SimulatedExperiment.ScoreFor), view.MeanScore);
            Assert.True(view.CostUsd > 0, "The iteration recorded no cost.");

            var results = await Iterations.GetResultsAsync(iterationId, cts.Token);
            Assert.Equal(Enumerable.Range(1, Cases), results.Select(r => r.Position));
            Assert.All(results, r =>
            {
                Assert.Equal("succeeded", r.OutputStatus);
                Assert.Equal($"answer-{r.Position}", r.Output);
                Assert.Equal("succeeded", r.JudgmentStatus);
                Assert.Equal(SimulatedExperiment.ScoreFor(r.Position), r.Score);
            });

            var (outputs, calls, judgments) = await IterationAssertions.AssertExactlyOnceAsync(fixture.Database.DataSource, iterationId, cts.Token);
            Assert.Equal((Cases, 2 * Cases, Cases), (outputs, calls, judgments));
            await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
            var stored = (await connection.QueryAsync<(string Question, string Status, double? Composite, string Scores)>(new CommandDefinition("""
                SELECT c.input ->> 'question', j.status, j.composite, j.scores::text
                FROM judgments j JOIN outputs o ON o.id = j.output_id JOIN model_runs mr ON mr.id = o.model_run_id JOIN cases c ON c.id = o.case_id
                WHERE mr.iteration_id = @iterationId ORDER BY c.position
                """, new { iterationId }, cancellationToken: cts.Token))).ToList();
            Assert.Equal(Enumerable.Range(1, Cases).Select(n => $"question-{n}"), stored.Select(j => j.Question));
            Assert.All(stored.Select((j, i) => (Judgment: j, Score: SimulatedExperiment.ScoreFor(i + 1))), x =>
            {
                Assert.Equal("succeeded", x.Judgment.Status);
                Assert.Equal(x.Score, x.Judgment.Composite);
                Assert.Equal($$"""{"Accuracy": {{x.Score}}}""", x.Judgment.Scores);
            });
            var costs = await connection.QuerySingleAsync<(decimal Iteration, decimal Calls, int Execute, int Judge)>(new CommandDefinition("""
                SELECT i.cost_usd, (SELECT round(sum(cost_usd), 6) FROM llm_calls WHERE iteration_id = i.id),
                       (SELECT count(*)::int FROM llm_calls WHERE iteration_id = i.id AND purpose = 'execute' AND model = 'gpt-4o-mini' AND status = 'succeeded'),
                       (SELECT count(*)::int FROM llm_calls WHERE iteration_id = i.id AND purpose = 'judge' AND model = 'gpt-4o' AND status = 'succeeded')
                FROM iterations i WHERE i.id = @iterationId
                """, new { iterationId }, cancellationToken: cts.Token));
            Assert.Equal((costs.Calls, Cases, Cases), (costs.Iteration, costs.Execute, costs.Judge));

            // The in-process Quartz client (the web app's role) only schedules: the worker process is the only node that checked in.
            var nodes = await connection.QueryAsync<string>(new CommandDefinition("SELECT instance_name FROM qrtz_scheduler_state",
                cancellationToken: cts.Token));
            Assert.EndsWith($"-{fixture.Worker.Pid}", Assert.Single(nodes), StringComparison.Ordinal);

            var requests = tenant.Requests;
            Assert.Equal(2 * Cases, requests.Count);
            Assert.Equal(Cases, requests.Count(r => SimulatedExperiment.IsJudgeCall(r) && r.Model == SimulatedExperiment.JudgeModel));
            Assert.Equal(Cases, requests.Count(r => r.SchemaName is null && r.Model == SimulatedExperiment.Model));
            Assert.All(requests, r => Assert.Equal(tenant.ApiKey, r.ApiKey));
            Assert.DoesNotContain(tenant.ApiKey, fixture.Worker.Output, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task StartAsync_JudgeAnswersMalformed_StoresReadableFailedJudgmentsAndStillCompletes()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        const int Cases = 4;
        int[] wellJudgedCases = [1, 4];
        // Case 2's judge answers prose instead of the verdict JSON, also when retried with the parse error; case 3's provider
        // answers a body that is not JSON at all, a provider failure that is not retried as a parse error.
        var tenant = fixture.Simulator.CreateTenant().Otherwise(r => (SimulatedExperiment.IsJudgeCall(r), SimulatedExperiment.CaseNumber(r)) switch
        {
            (true, 2) => SimStep.Reply("The answer looks right to me: 4 out of 5."),
            (true, 3) => SimStep.Malformed(),
            _ => SimulatedExperiment.Respond(r),
        });
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services, SimulatedExperiment.Draft(fixture.Simulator, tenant, Cases), cts.Token);

        var started = await Iterations.StartAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.Experiment, experimentId, cts.Token),
            experimentId, cts.Token);

        Assert.Null(started.Error);
        var iterationId = started.IterationId!.Value;
        await DiagnoseAsync(async () =>
        {
            var view = await IterationAssertions.WaitUntilFinishedAsync(Iterations, iterationId, cts.Token);
            Assert.Equal(IterationStatus.Completed, view.Status);
            Assert.Equal((Cases, Cases), (view.JudgmentsDone, view.JudgmentsTotal));
            Assert.Equal((0, 2), (view.FailedOutputs, view.FailedJudgments));
            Assert.Equal(wellJudgedCases.Average(SimulatedExperiment.ScoreFor), view.MeanScore);

            var results = (await Iterations.GetResultsAsync(iterationId, cts.Token)).ToDictionary(r => r.Position);
            Assert.Equal("failed", results[2].JudgmentStatus);
            Assert.Null(results[2].Score);
            Assert.Contains("not valid JSON", results[2].JudgmentError, StringComparison.Ordinal);
            Assert.Equal("failed", results[3].JudgmentStatus);
            Assert.Null(results[3].Score);
            Assert.Contains("malformed", results[3].JudgmentError, StringComparison.OrdinalIgnoreCase);
            var retry = Assert.Single(tenant.Requests, SimulatedExperiment.IsRepairCall);
            Assert.Equal(2, SimulatedExperiment.CaseNumber(retry));
            foreach (var position in wellJudgedCases)
            {
                Assert.Equal("succeeded", results[position].JudgmentStatus);
                Assert.Equal(SimulatedExperiment.ScoreFor(position), results[position].Score);
            }

            Assert.All(results.Values, r => Assert.Equal("succeeded", r.OutputStatus));
            var (outputs, _, judgments) = await IterationAssertions.AssertExactlyOnceAsync(fixture.Database.DataSource, iterationId, cts.Token);
            Assert.Equal((Cases, Cases), (outputs, judgments));
        });
    }

    [Fact]
    public async Task StartAsync_CaseLacksATemplateVariable_IsRefusedNamingTheCaseAndTheVariable()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant();
        var draft = SimulatedExperiment.Draft(fixture.Simulator, tenant, 0) with
        {
            CasesJsonl = """
                {"question": "question-1", "tone": "dry"}
                {"question": "question-2"}
                """,
        };
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services, draft, cts.Token);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        // An edited prompt (version 2) now reads a variable that case 2 never had.
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO prompt_versions (id, experiment_id, version, template, changelog)
            VALUES (gen_random_uuid(), @experimentId, 2, 'Answer in a {{ tone }} tone: {{ question }}', 'Ask for a tone')
            """, new { experimentId }, cancellationToken: cts.Token));

        var started = await Iterations.StartAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.Experiment, experimentId, cts.Token),
            experimentId, cts.Token);

        Assert.Null(started.IterationId);
        Assert.NotNull(started.Error);
        Assert.Contains("case 2", started.Error, StringComparison.Ordinal);
        Assert.Contains("{{ tone }}", started.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("case 1", started.Error, StringComparison.Ordinal);
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*)::int FROM iterations WHERE experiment_id = @experimentId", new { experimentId }, cancellationToken: cts.Token)));
        Assert.Empty(tenant.Requests);
    }

    private async Task DiagnoseAsync(Func<Task> assertions)
    {
        try
        {
            await assertions();
        }
        catch
        {
            output.WriteLine($"Worker (pid {fixture.Worker.Pid}) output:\n{fixture.Worker.Output}");
            throw;
        }
    }
}

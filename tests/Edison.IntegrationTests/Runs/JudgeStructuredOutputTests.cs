using Dapper;
using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using Edison.Testing;
using Edison.Core.Security;

namespace Edison.IntegrationTests.Runs;

/// <summary>
/// A judge's damaged JSON through a real worker: repaired locally when it can be, retried once with the parse error fed
/// back when it cannot, and stored as a failed judgment with the error when the retry is no better.
/// </summary>
public sealed class JudgeStructuredOutputTests(WorkerLoopFixture fixture, ITestOutputHelper output) : IClassFixture<WorkerLoopFixture>
{
    private const int Cases = 3;

    private Core.Experiments.ExperimentService Experiments => fixture.Services.GetRequiredService<Core.Experiments.ExperimentService>();

    private IterationService Iterations => fixture.Services.GetRequiredService<IterationService>();

    [Fact]
    public async Task StartAsync_JudgeAnswersFencedJsonWithTrailingComma_RepairedWithoutSecondCall()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(r => SimulatedExperiment.IsJudgeCall(r)
            ? SimStep.Reply($$"""
                ```json
                {"reasoning": "Fine.", "scores": [{"criterion": "{{SimulatedExperiment.Criterion}}", "score": {{SimulatedExperiment.ScoreFor(SimulatedExperiment.CaseNumber(r))}}, "rationale": "Ok.",},],
                 "suggestions": [], "safetyFlags": [],}
                ```
                """)
            : SimulatedExperiment.Answer(r));

        var (view, iterationId) = await RunAsync(tenant, cts.Token);

        await DiagnoseAsync(async () =>
        {
            Assert.Equal(IterationStatus.Completed, view.Status);
            Assert.Equal(0, view.FailedJudgments);
            var results = await Iterations.GetResultsAsync(iterationId, cts.Token);
            Assert.All(results, r => Assert.Equal(("succeeded", (double?)SimulatedExperiment.ScoreFor(r.Position)), (r.JudgmentStatus, r.Score)));
            Assert.Equal(Cases, tenant.Requests.Count(SimulatedExperiment.IsJudgeCall));
            Assert.DoesNotContain(tenant.Requests, SimulatedExperiment.IsRepairCall);
            var keys = await JudgeCallKeysAsync(iterationId, cts.Token);
            Assert.Equal(Cases, keys.Count);
            Assert.DoesNotContain(keys, k => k.EndsWith(":repair", StringComparison.Ordinal));
        });
    }

    [Fact]
    public async Task StartAsync_JudgeAnswersProseThenValidJsonOnRetry_SucceedsWithRepairCallRow()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(r => (SimulatedExperiment.IsJudgeCall(r), SimulatedExperiment.IsRepairCall(r)) switch
        {
            (true, false) => SimStep.Reply("I would give this answer a solid score."),
            _ => SimulatedExperiment.Respond(r),
        });

        var (view, iterationId) = await RunAsync(tenant, cts.Token);

        await DiagnoseAsync(async () =>
        {
            Assert.Equal(IterationStatus.Completed, view.Status);
            Assert.Equal(0, view.FailedJudgments);
            var results = await Iterations.GetResultsAsync(iterationId, cts.Token);
            Assert.All(results, r => Assert.Equal(("succeeded", (double?)SimulatedExperiment.ScoreFor(r.Position)), (r.JudgmentStatus, r.Score)));

            var keys = await JudgeCallKeysAsync(iterationId, cts.Token);
            Assert.Equal(2 * Cases, keys.Count);
            Assert.Equal(Cases, keys.Count(k => k.EndsWith(":repair", StringComparison.Ordinal)));
            Assert.All(keys.Where(k => !k.EndsWith(":repair", StringComparison.Ordinal)), k => Assert.Contains(k + ":repair", keys));

            var retries = tenant.Requests.Where(SimulatedExperiment.IsRepairCall).ToList();
            Assert.Equal(Cases, retries.Count);
            Assert.All(retries, r =>
            {
                Assert.Contains("not valid JSON", r.LastUserText, StringComparison.Ordinal);
                Assert.Equal("I would give this answer a solid score.", r.Messages[^2].Text);
                Assert.Equal("assistant", r.Messages[^2].Role);
            });
            var (_, _, judgments) = await IterationAssertions.AssertExactlyOnceAsync(fixture.Database.DataSource, iterationId, cts.Token);
            Assert.Equal(Cases, judgments);
        });
    }

    [Fact]
    public async Task StartAsync_JudgeStaysInvalidAfterRetry_FailedJudgmentWithErrorAndJudgingFailed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        // Valid JSON that scores the wrong criterion: no repair can help, and the retry repeats the mistake.
        var tenant = fixture.Simulator.CreateTenant().Otherwise(r => SimulatedExperiment.IsJudgeCall(r)
            ? SimStep.Reply("""{"reasoning": "Hm.", "scores": [{"criterion": "Style", "score": 3, "rationale": "Ok."}], "suggestions": [], "safetyFlags": []}""")
            : SimulatedExperiment.Answer(r));

        var (view, iterationId) = await RunAsync(tenant, cts.Token);

        await DiagnoseAsync(async () =>
        {
            // No verdict is valid, so the iteration ends "judging failed" instead of aggregating (issue 17).
            Assert.Equal(IterationStatus.JudgingFailed, view.Status);
            Assert.Equal((Cases, Cases), (view.JudgmentsDone, view.JudgmentsTotal));
            var results = await Iterations.GetResultsAsync(iterationId, cts.Token);
            Assert.All(results, r =>
            {
                Assert.Equal("failed", r.JudgmentStatus);
                Assert.Null(r.Score);
                Assert.Contains($"did not score the criterion '{SimulatedExperiment.Criterion}'", r.JudgmentError, StringComparison.Ordinal);
            });
            Assert.Equal(Cases, tenant.Requests.Count(SimulatedExperiment.IsRepairCall));
            Assert.Equal(2 * Cases, (await JudgeCallKeysAsync(iterationId, cts.Token)).Count);
        });
    }

    private async Task<(IterationView View, Guid IterationId)> RunAsync(SimTenant tenant, CancellationToken cancellationToken)
    {
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services, SimulatedExperiment.Draft(fixture.Simulator, tenant, Cases), cancellationToken);
        var started = await Iterations.StartAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.Experiment, experimentId, cancellationToken),
            experimentId, cancellationToken);
        Assert.Null(started.Error);
        var iterationId = started.IterationId!.Value;
        IterationView? view = null;
        await DiagnoseAsync(async () => view = await IterationAssertions.WaitUntilFinishedAsync(Iterations, iterationId, cancellationToken));
        return (view!, iterationId);
    }

    private async Task<List<string>> JudgeCallKeysAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT call_key FROM llm_calls WHERE iteration_id = @iterationId AND purpose = 'judge' AND status = 'succeeded'",
            new { iterationId }, cancellationToken: cancellationToken))).ToList();
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

using Dapper;
using Edison.Core.Experiments;
using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;
using Edison.Core.Security;

namespace Edison.IntegrationTests.Runs;

/// <summary>
/// Cancel and pause against a real worker process with slow simulated calls: a cancel aborts the calls in flight and starts
/// none, a pause lets those in flight finish and starts none, and a resume completes the iteration exactly once.
/// </summary>
public sealed class CancelPauseTests(WorkerLoopFixture fixture, ITestOutputHelper output) : IClassFixture<WorkerLoopFixture>
{
    private ExperimentService Experiments => fixture.Services.GetRequiredService<ExperimentService>();

    private IterationService Iterations => fixture.Services.GetRequiredService<IterationService>();

    [Fact]
    public async Task CancelAsync_SlowCallsInFlight_AbortsThemStartsNoneAndKeepsPartialResultsUnscored()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        const int Cases = 20;
        // Cases 1–3 and 11–13 answer at once; the rest are held until the test lets them go (after the cancel), so every
        // chunk job has calls in flight at the cancel however late a busy machine starts it.
        int[] fast = [1, 2, 3, 11, 12, 13];
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tenant = fixture.Simulator.CreateTenant().Otherwise(r =>
            SimulatedExperiment.IsJudgeCall(r) || fast.Contains(SimulatedExperiment.CaseNumber(r))
                ? SimulatedExperiment.Respond(r)
                : SimStep.After(release.Task, SimulatedExperiment.Answer(r)));
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services, SimulatedExperiment.Draft(fixture.Simulator, tenant, Cases), cts.Token);
        var started = await Iterations.StartAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.Experiment, experimentId, cts.Token),
            experimentId, cts.Token);
        Assert.Null(started.Error);
        var iterationId = started.IterationId!.Value;
        await Poll.UntilAsync("the fast outputs and eight slow calls in flight",
            async ct => (Outputs: await CountAsync(fixture.Database.DataSource, OutputsSql, iterationId, ct),
                Slow: tenant.Requests.Count(r => !fast.Contains(SimulatedExperiment.CaseNumber(r)))),
            x => x.Outputs == fast.Length && x.Slow >= 8, cts.Token);

        var cancelledAt = DateTimeOffset.UtcNow;
        Assert.True(await Iterations.CancelAsync(await TestActors.OwnerAsync(fixture.Services, cts.Token), iterationId, cts.Token));
        // The worker sees the cancel within one poll of the iteration (0.5 s) and aborts its calls; well after that, the
        // held calls may answer: one that was not aborted would be stored within moments.
        await Task.Delay(IterationWatchMargin, cts.Token);
        release.SetResult();
        await Task.Delay(TimeSpan.FromSeconds(3), cts.Token);

        var requests = tenant.Requests;
        var late = requests.Where(r => r.ArrivedAt > cancelledAt).ToList();
        var lastAfterCancel = late.Count == 0 ? (TimeSpan?)null : late.Max(r => r.ArrivedAt) - cancelledAt;
        output.WriteLine($"{requests.Count} requests; {late.Count} arrived after the cancel (last {lastAfterCancel?.TotalMilliseconds ?? 0:F0} ms after it).");
        Assert.DoesNotContain(requests, r => r.ArrivedAt > cancelledAt + TimeSpan.FromSeconds(2));
        Assert.Equal(fast.Length, await CountAsync(fixture.Database.DataSource, OutputsSql, iterationId, cts.Token));
        Assert.Equal(fast.Length, await CountAsync(fixture.Database.DataSource, SucceededCallsSql, iterationId, cts.Token));
        var view = (await Iterations.GetAsync(iterationId, cts.Token))!;
        Assert.Equal(IterationStatus.Cancelled, view.Status);
        Assert.Equal((fast.Length, (double?)null), (view.OutputsDone, view.MeanScore));
        var results = await Iterations.GetResultsAsync(iterationId, cts.Token);
        Assert.Equal(fast.Select(n => $"answer-{n}").Order(StringComparer.Ordinal),
            results.Where(r => r.Output is not null).Select(r => r.Output!).Order(StringComparer.Ordinal));
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        Assert.Null(await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT metrics::text FROM iterations WHERE id = @iterationId", new { iterationId }, cancellationToken: cts.Token)));
    }

    [Fact]
    public async Task PauseAsync_SlowCallsInFlight_LetsThemFinishStartsNoneAndResumeCompletesExactlyOnce()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        const int Cases = 10;
        var slow = TimeSpan.FromSeconds(3);
        var tenant = fixture.Simulator.CreateTenant().Otherwise(r =>
            SimulatedExperiment.IsJudgeCall(r) ? SimulatedExperiment.Respond(r) : SimStep.Delay(slow, SimulatedExperiment.Answer(r)));
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services, SimulatedExperiment.Draft(fixture.Simulator, tenant, Cases), cts.Token);
        var started = await Iterations.StartAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.Experiment, experimentId, cts.Token),
            experimentId, cts.Token);
        Assert.Null(started.Error);
        var iterationId = started.IterationId!.Value;
        // The chunk runs four calls at a time.
        await Poll.UntilAsync("four model calls in flight", _ => Task.FromResult(tenant.Requests.Count), n => n >= 4, cts.Token);

        var pausedAt = DateTimeOffset.UtcNow;
        Assert.True(await Iterations.PauseAsync(await TestActors.OwnerAsync(fixture.Services, cts.Token), iterationId, cts.Token));
        var inFlight = tenant.Requests.Count;
        await Poll.UntilAsync("the calls in flight to finish", ct => CountAsync(fixture.Database.DataSource, OutputsSql, iterationId, ct),
            n => n == inFlight, cts.Token);
        await Task.Delay(slow + TimeSpan.FromSeconds(1), cts.Token);

        var whilePaused = tenant.Requests;
        output.WriteLine($"{inFlight} calls in flight at the pause; {whilePaused.Count} requests {slow.TotalSeconds + 1:F0} s after they finished.");
        Assert.Equal(inFlight, whilePaused.Count);
        Assert.DoesNotContain(whilePaused, r => r.ArrivedAt > pausedAt);
        Assert.Equal(inFlight, await CountAsync(fixture.Database.DataSource, OutputsSql, iterationId, cts.Token));
        Assert.Equal(IterationStatus.Executing, (await Iterations.GetAsync(iterationId, cts.Token))!.Status);

        Assert.True(await Iterations.ResumeAsync(await TestActors.OwnerAsync(fixture.Services, cts.Token), iterationId, cts.Token));
        var view = await IterationAssertions.WaitUntilFinishedAsync(Iterations, iterationId, cts.Token);

        Assert.Equal(IterationStatus.Completed, view.Status);
        var (outputs, calls, judgments) = await IterationAssertions.AssertExactlyOnceAsync(fixture.Database.DataSource, iterationId, cts.Token);
        Assert.Equal((Cases, 2 * Cases, Cases), (outputs, calls, judgments));
        var modelCalls = tenant.Requests.Where(r => !SimulatedExperiment.IsJudgeCall(r)).ToList();
        Assert.Equal(Enumerable.Range(1, Cases), modelCalls.Select(SimulatedExperiment.CaseNumber).Order());
        Assert.Equal((Cases, Cases), (view.OutputsDone, view.JudgmentsDone));
    }

    /// Ten times the worker's poll of a running iteration (500 ms), for a busy machine.
    private static readonly TimeSpan IterationWatchMargin = TimeSpan.FromSeconds(5);

    private const string OutputsSql = """
        SELECT count(*)::int FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id WHERE mr.iteration_id = @iterationId
        """;

    private const string SucceededCallsSql = """
        SELECT count(*)::int FROM llm_calls WHERE iteration_id = @iterationId AND status = 'succeeded'
        """;

    private static async Task<int> CountAsync(NpgsqlDataSource dataSource, string sql, Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(sql, new { iterationId }, cancellationToken: cancellationToken));
    }
}

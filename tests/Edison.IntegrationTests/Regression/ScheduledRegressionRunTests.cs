using System.Globalization;
using System.Text.Json;
using Dapper;
using Edison.Core.Regression;
using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Quartz;

namespace Edison.IntegrationTests.Regression;

/// <summary>
/// Scheduled regression runs end to end: a real worker fires the experiment's job, re-runs production through the simulator
/// (asking the providers again, not the cache) and compares it with the previous production run. A drop records an alert and
/// POSTs a signed webhook, retried after a failure; no change and an improvement record none.
/// </summary>
public sealed class ScheduledRegressionRunTests(WorkerLoopFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<WorkerLoopFixture>
{
    private const int Cases = 20;

    [Fact]
    public async Task ScheduledRun_ScoresDrop_RecordsAlertAndPostsSignedWebhookAfterARetry()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var receiver = await WebhookReceiver.StartAsync(StatusCodes503, cts.Token);
        var judge = new JudgeScript();
        var experimentId = await BaselineAsync(judge, cts.Token);
        var saved = await Schedules.SaveAsync(await TestActors.OwnerAsync(fixture.Services, cts.Token), experimentId,
            new ScheduleChoice(ScheduleChoice.Nightly, new TimeOnly(2, 0)), receiver.Url.ToString(), newSecret: false, cts.Token);
        Assert.True(saved.Saved, string.Join("; ", saved.Errors.Values));

        judge.Score = _ => 1;
        var run = await FireAndWaitAsync(experimentId, cts.Token);
        var alert = await Poll.UntilAsync("the webhook delivered", ct => AlertAsync(experimentId, ct), a => a?.WebhookStatus == "delivered", cts.Token);

        Assert.Equal("regressed", run.Outcome);
        Assert.Equal("completed", run.IterationStatus);
        Assert.True(alert!.MeanDifference < 0 && alert.CiHigh < 0, $"{alert.MeanDifference} ({alert.CiLow} to {alert.CiHigh})");
        Assert.Equal(2, receiver.Received.Count);
        var delivered = receiver.Received.Last();
        var timestamp = long.Parse(delivered.Headers[WebhookSignature.TimestampHeader], CultureInfo.InvariantCulture);
        Assert.True(WebhookSignature.Verify(saved.NewSecret!, timestamp, delivered.Body, delivered.Headers[WebhookSignature.SignatureHeader]));
        Assert.False(WebhookSignature.Verify("another secret", timestamp, delivered.Body, delivered.Headers[WebhookSignature.SignatureHeader]));
        Assert.Equal(alert.Id.ToString(), delivered.Headers[WebhookSignature.DeliveryHeader]);
        using var body = JsonDocument.Parse(delivered.Body);
        Assert.Equal(RegressionAlertPayload.RegressionDetected, body.RootElement.GetProperty("event").GetString());
        Assert.Equal(experimentId, body.RootElement.GetProperty("experimentId").GetGuid());
        Assert.Equal(run.IterationId, body.RootElement.GetProperty("iterationId").GetGuid());
        Assert.Equal(alert.MeanDifference, body.RootElement.GetProperty("meanDifference").GetDouble(), 9);
        Assert.Equal(1, body.RootElement.GetProperty("promptVersion").GetInt32());
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var attempts = (await connection.QueryAsync<(int Attempt, int? Status)>(
            "SELECT attempt, status_code FROM webhook_deliveries WHERE alert_id = @Id ORDER BY attempt", new { alert.Id })).ToList();
        Assert.Equal([(1, 503), (2, 200)], attempts);
        // The scheduled run measured production only: no refinement followed it, and the experiment is as it was.
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>(
            "SELECT count(*)::int FROM suggestions WHERE iteration_id = @IterationId", new { run.IterationId }));
        Assert.NotEqual("running", await connection.ExecuteScalarAsync<string>("SELECT status FROM experiments WHERE id = @experimentId", new { experimentId }));
        Assert.Single(await Schedules.ListOpenAsync(await ProjectOfAsync(connection, experimentId), cts.Token));
        Assert.True(await Schedules.AcknowledgeAsync(await TestActors.OwnerAsync(fixture.Services, cts.Token), experimentId, alert.Id, cts.Token));
        Assert.Empty((await Schedules.GetAsync(experimentId, cts.Token)).OpenAlerts);
    }

    [Fact]
    public async Task ScheduledRun_NoChangeThenImprovement_RecordsNoAlertAndPostsNothing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using var receiver = await WebhookReceiver.StartAsync([], cts.Token);
        var judge = new JudgeScript();
        var experimentId = await BaselineAsync(judge, cts.Token);
        var saved = await Schedules.SaveAsync(await TestActors.OwnerAsync(fixture.Services, cts.Token), experimentId,
            new ScheduleChoice(ScheduleChoice.Weekly, new TimeOnly(4, 30), DayOfWeek.Sunday), receiver.Url.ToString(), newSecret: false, cts.Token);
        Assert.True(saved.Saved, string.Join("; ", saved.Errors.Values));

        var unchanged = await FireAndWaitAsync(experimentId, cts.Token);
        judge.Score = _ => 5;
        var improved = await FireAndWaitAsync(experimentId, cts.Token);

        output.WriteLine(unchanged.ToString());
        output.WriteLine(improved.ToString());
        Assert.Equal(("passed", "passed"), (unchanged.Outcome, improved.Outcome));
        Assert.NotEqual(unchanged.IterationId, improved.IterationId);
        Assert.Contains("significantly better", improved.Detail, StringComparison.Ordinal);
        Assert.Null(await AlertAsync(experimentId, cts.Token));
        Assert.Empty(receiver.Received);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        // Each run asked the simulator again: twice the baseline's calls came after it, none served from the cache.
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("""
            SELECT count(*)::int FROM llm_calls WHERE iteration_id IN (@a, @b) AND cache_hit
            """, new { a = unchanged.IterationId, b = improved.IterationId }));
    }

    private RegressionScheduleService Schedules => fixture.Services.GetRequiredService<RegressionScheduleService>();

    private static readonly int[] StatusCodes503 = [503];

    private async Task<Guid> BaselineAsync(JudgeScript judge, CancellationToken cancellationToken)
    {
        var tenant = fixture.Simulator.CreateTenant().Otherwise(r => SimulatedExperiment.IsJudgeCall(r)
            ? SimulatedExperiment.Verdict(judge.Score(SimulatedExperiment.CaseNumber(r)))
            : SimulatedExperiment.Answer(r));
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services,
            SimulatedExperiment.Draft(fixture.Simulator, tenant, Cases), cancellationToken);
        var iterations = fixture.Services.GetRequiredService<IterationService>();
        var started = await iterations.StartAsync(await TestActors.OwnerAsync(fixture.Services, cancellationToken), experimentId, cancellationToken);
        Assert.Null(started.Error);
        var view = await Poll.UntilAsync("the baseline iteration", ct => iterations.GetAsync(started.IterationId!.Value, ct),
            v => v is not null && IterationStatus.IsTerminal(v.Status), cancellationToken);
        Assert.Equal(IterationStatus.Completed, view!.Status);
        return experimentId;
    }

    /// Fires the experiment's scheduled job now, as its cron trigger would, and waits for the run it starts to finish.
    private async Task<RunRow> FireAndWaitAsync(Guid experimentId, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        var before = await connection.ExecuteScalarAsync<int>("SELECT count(*)::int FROM regression_runs WHERE experiment_id = @experimentId",
            new { experimentId });
        var scheduler = await fixture.Services.GetRequiredService<ISchedulerFactory>().GetScheduler(cancellationToken);
        await scheduler.TriggerJob(new JobKey($"regression:{experimentId}", "regression"), cancellationToken);
        return (await Poll.UntilAsync("the scheduled run", async ct =>
        {
            await using var c = await fixture.Database.DataSource.OpenConnectionAsync(ct);
            return (await c.QueryAsync<RunRow>("""
                SELECT r.iteration_id, r.outcome, r.detail, i.status AS iteration_status
                FROM regression_runs r LEFT JOIN iterations i ON i.id = r.iteration_id
                WHERE r.experiment_id = @experimentId ORDER BY r.started_at
                """, new { experimentId })).ToList();
        }, runs => runs.Count > before && runs[^1].Outcome != "running" && runs[^1].IterationStatus is "completed" or "failed" or "cancelled" or null,
            cancellationToken))[^1];
    }

    private async Task<RegressionAlert?> AlertAsync(Guid experimentId, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return (await Schedules.ListOpenAsync(await ProjectOfAsync(connection, experimentId), cancellationToken))
            .SingleOrDefault(a => a.ExperimentId == experimentId);
    }

    private static Task<Guid> ProjectOfAsync(NpgsqlConnection connection, Guid experimentId) =>
        connection.ExecuteScalarAsync<Guid>("SELECT project_id FROM experiments WHERE id = @experimentId", new { experimentId });

    private sealed class JudgeScript
    {
        public Func<int, int> Score { get; set; } = SimulatedExperiment.ScoreFor;
    }

    private sealed record RunRow(Guid? IterationId, string Outcome, string? Detail, string? IterationStatus);
}

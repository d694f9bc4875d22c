using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using Edison.Core.Security;

namespace Edison.IntegrationTests.FaultDrills;

/// <summary>
/// PostgreSQL is the source of truth: cutting the worker off from it mid-iteration (every connection reset, new ones refused)
/// and then restoring it lets the worker resume from the rows, with no output, call or judgment lost or doubled.
/// </summary>
public sealed class PostgresOutageFaultDrillTests(ITestOutputHelper output)
{
    private const int Cases = 20;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CallDelay = TimeSpan.FromMilliseconds(800);

    [Fact]
    public async Task Iteration_PostgresSeveredAndRestoredMidRun_ResumesAndCompletesWithExactRowsAndCosts()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        await using var database = await TestDatabase.CreateAsync(cts.Token);
        await using var simulator = await ProviderSimulator.StartAsync(cts.Token);
        var (host, port) = FaultDrillEndpoints.Postgres(database.ConnectionString);
        await using var proxy = TcpFaultProxy.Start(host, port);
        var redis = TestEnvironment.RedisConnectionStringWithPrefix(TestEnvironment.NewRedisPrefix());
        var settings = new Dictionary<string, string>
        {
            ["Edison__Llm__ChunkConcurrency"] = "1",
            ["Edison__Scheduler__SweepInterval"] = "00:00:05",
        };
        await using var worker = WorkerProcess.Start(FaultDrillEndpoints.ThroughProxy(database.ConnectionString, proxy), redis, settings);
        using var client = await WorkerLoopFixture.StartClientHostAsync(database.ConnectionString, redis, cts.Token);
        try
        {
            await worker.WaitHealthyAsync(cts.Token);
            var tenant = simulator.CreateTenant().Otherwise(r => SimStep.Delay(CallDelay, SimulatedExperiment.Respond(r)));
            var experimentId = await SimulatedExperiment.CreateAsync(client.Services,
                SimulatedExperiment.Draft(simulator, tenant, Cases), cts.Token);
            var iterations = client.Services.GetRequiredService<IterationService>();
            var started = await iterations.StartAsync(await TestActors.OwnerOnAsync(client.Services, ResourceKinds.Experiment, experimentId, cts.Token),
                experimentId, cts.Token);
            Assert.Null(started.Error);
            var iterationId = started.IterationId!.Value;

            var before = await Poll.UntilAsync("the first output", ct => FaultDrillChecks.OutputCountAsync(database.DataSource, iterationId, ct),
                n => n > 0, cts.Token);
            await proxy.SeverForAsync(Outage, cts.Token);
            var atRestore = await FaultDrillChecks.OutputCountAsync(database.DataSource, iterationId, cts.Token);

            var view = await IterationAssertions.WaitUntilFinishedAsync(iterations, iterationId, cts.Token);

            output.WriteLine($"Outputs: {before} before the outage, {atRestore} at restore; {proxy.Refused} connections refused; " +
                $"{tenant.Requests.Count} provider requests; ended {view.Status} {view.Error}");
            Assert.True(proxy.Refused > 0, "The worker did not try the database during the outage.");
            Assert.Equal(IterationStatus.Completed, view.Status);
            var (outputs, calls, judgments, failed) = await FaultDrillChecks.AssertEndedConsistentlyAsync(database.DataSource, view, Cases, cts.Token);
            Assert.Equal((Cases, 2 * Cases, Cases, 0), (outputs, calls, judgments, failed));
            Assert.Equal(Enumerable.Range(1, Cases).Average(SimulatedExperiment.ScoreFor), view.MeanScore);
            // Only a call whose answer arrived while its row could not be written is asked again.
            Assert.InRange(tenant.Requests.Count, 2 * Cases, (2 * Cases) + 8);
        }
        catch
        {
            output.WriteLine($"--- worker pid {worker.Pid} ---\n{worker.Output}");
            throw;
        }
    }
}

using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using Edison.Core.Security;

namespace Edison.IntegrationTests.FaultDrills;

/// <summary>
/// Redis is only a cache, a rate-limit store and an event bus: cutting the worker off from it for 30 s in the middle of an
/// iteration slows the work down but loses and doubles nothing, and the work goes on during the outage.
/// </summary>
public sealed class RedisOutageFaultDrillTests(ITestOutputHelper output)
{
    private const int Cases = 30;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CallDelay = TimeSpan.FromMilliseconds(1500);

    [Fact]
    public async Task Iteration_RedisSeveredFor30SecondsMidRun_CompletesWithExactRowsAndCosts()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        await using var database = await TestDatabase.CreateAsync(cts.Token);
        await using var simulator = await ProviderSimulator.StartAsync(cts.Token);
        var (redisHost, redisPort) = FaultDrillEndpoints.Redis();
        await using var proxy = TcpFaultProxy.Start(redisHost, redisPort);
        var prefix = TestEnvironment.NewRedisPrefix();
        var proxied = $"127.0.0.1:{proxy.Port},channelPrefix={prefix}";
        var settings = new Dictionary<string, string>
        {
            ["Edison__Llm__ChunkConcurrency"] = "1",
            ["Edison__Scheduler__SweepInterval"] = "00:00:05",
        };
        await using var worker = WorkerProcess.Start(database.ConnectionString, proxied, settings);
        using var client = await WorkerLoopFixture.StartClientHostAsync(database.ConnectionString,
            TestEnvironment.RedisConnectionStringWithPrefix(prefix), cts.Token);
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
            Assert.True(proxy.Accepted > 0, "The worker never reached Redis through the proxy.");
            await proxy.SeverForAsync(Outage, cts.Token);
            var during = await FaultDrillChecks.OutputCountAsync(database.DataSource, iterationId, cts.Token);

            var view = await IterationAssertions.WaitUntilFinishedAsync(iterations, iterationId, cts.Token);

            output.WriteLine($"Outputs: {before} before the outage, {during} at its end; {proxy.Refused} Redis connections refused; " +
                $"{tenant.Requests.Count} provider requests; ended {view.Status} {view.Error}");
            Assert.Equal(IterationStatus.Completed, view.Status);
            Assert.True(during > before, "No output was written while Redis was away: the worker stalled on it.");
            var (outputs, calls, judgments, failed) = await FaultDrillChecks.AssertEndedConsistentlyAsync(database.DataSource, view, Cases, cts.Token);
            Assert.Equal((Cases, 2 * Cases, Cases, 0), (outputs, calls, judgments, failed));
            Assert.Equal(2 * Cases, tenant.Requests.Count);
            Assert.Equal(Enumerable.Range(1, Cases).Average(SimulatedExperiment.ScoreFor), view.MeanScore);
        }
        catch
        {
            output.WriteLine($"--- worker pid {worker.Pid} ---\n{worker.Output}");
            throw;
        }
    }
}

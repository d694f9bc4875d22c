using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using Edison.Core.Security;

namespace Edison.IntegrationTests.FaultDrills;

/// <summary>
/// A provider storm through a real worker: of every 20 requests 10 are 429s, 4 are 5xx, 2 stall past the attempt timeout,
/// 1 is a malformed body and 3 succeed. Retries absorb the 429s, 5xx and stalls; a malformed body fails its call visibly.
/// Every logical call still has exactly one llm_calls row, and only successes cost money.
/// </summary>
public sealed class ProviderStormFaultDrillTests(ITestOutputHelper output)
{
    private const int Cases = 30;

    [Fact]
    public async Task Iteration_ProviderStormOf429s5xxStallsAndMalformedJson_EndsVisiblyWithOneRowPerCallAndExactCost()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        await using var database = await TestDatabase.CreateAsync(cts.Token);
        await using var simulator = await ProviderSimulator.StartAsync(cts.Token);
        var redis = TestEnvironment.RedisConnectionStringWithPrefix(TestEnvironment.NewRedisPrefix());
        var settings = new Dictionary<string, string>
        {
            ["Edison__Llm__MaxAttempts"] = "10",
            ["Edison__Llm__BaseDelay"] = "00:00:00",
            ["Edison__Llm__AttemptTimeout"] = "00:00:01",
        };
        await using var worker = WorkerProcess.Start(database.ConnectionString, redis, settings);
        using var client = await WorkerLoopFixture.StartClientHostAsync(database.ConnectionString, redis, cts.Token);
        var counter = -1;
        var tenant = simulator.CreateTenant().Otherwise(r => (Interlocked.Increment(ref counter) % 20) switch
        {
            < 10 => SimStep.Status(429, retryAfter: TimeSpan.Zero),
            < 12 => SimStep.Status(500),
            < 14 => SimStep.Status(503),
            < 16 => SimStep.Delay(TimeSpan.FromSeconds(3), SimulatedExperiment.Respond(r)),
            16 => SimStep.Malformed(),
            _ => SimulatedExperiment.Respond(r),
        });
        try
        {
            await worker.WaitHealthyAsync(cts.Token);
            var experimentId = await SimulatedExperiment.CreateAsync(client.Services,
                SimulatedExperiment.Draft(simulator, tenant, Cases), cts.Token);
            var iterations = client.Services.GetRequiredService<IterationService>();
            var started = await iterations.StartAsync(await TestActors.OwnerOnAsync(client.Services, ResourceKinds.Experiment, experimentId, cts.Token),
                experimentId, cts.Token);
            Assert.Null(started.Error);

            var view = await IterationAssertions.WaitUntilFinishedAsync(iterations, started.IterationId!.Value, cts.Token);

            var (outputs, calls, judgments, failed) = await FaultDrillChecks.AssertEndedConsistentlyAsync(database.DataSource, view, Cases, cts.Token);
            var requests = tenant.Requests.Count;
            output.WriteLine($"{requests} provider requests for {calls} logical calls: {outputs} outputs ({failed} failed), " +
                $"{judgments} judgments; ended {view.Status} {view.Error}");
            Assert.True(requests >= 3 * calls, $"Only {requests} requests for {calls} calls: the storm did not happen.");
            Assert.Equal(failed, view.FailedOutputs);
            Assert.True(view.Status == IterationStatus.Completed || view.Error is not null);
        }
        catch
        {
            output.WriteLine($"--- worker pid {worker.Pid} ---\n{worker.Output}");
            throw;
        }
    }
}

using Dapper;
using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Edison.IntegrationTests.Scheduling;

/// <summary>
/// Quartz fail-over on the clustered PostgreSQL store: SIGKILL the worker that is running a chunk, and the other worker
/// recovers the job and finishes the iteration without a duplicate output, call or judgment.
/// </summary>
public sealed class WorkerFailoverFaultDrillTests(ITestOutputHelper output)
{
    private const int Cases = 6;
    // With ChunkConcurrency 4, six slow calls keep the one ExecuteChunk job busy for two rounds.
    private static readonly TimeSpan ModelDelay = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task ExecuteChunkJob_WorkerKilledMidChunk_OtherWorkerRecoversItAndTheIterationCompletesExactlyOnce()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var database = await TestDatabase.CreateAsync(cts.Token);
        await using var simulator = await ProviderSimulator.StartAsync(cts.Token);
        var redis = TestEnvironment.RedisConnectionStringWithPrefix(TestEnvironment.NewRedisPrefix());
        var settings = new Dictionary<string, string>
        {
            // The periodic sweep would also finish the iteration eventually; pushing it out of the test's time proves Quartz's recovery did.
            ["Edison__Scheduler__SweepInterval"] = "00:10:00",
            ["Logging__LogLevel__Quartz"] = "Information",
        };
        await using var first = WorkerProcess.Start(database.ConnectionString, redis, settings);
        await using var second = WorkerProcess.Start(database.ConnectionString, redis, settings);
        using var client = await WorkerLoopFixture.StartClientHostAsync(database.ConnectionString, redis, cts.Token);
        WorkerProcess[] workers = [first, second];
        try
        {
            await Task.WhenAll(first.WaitHealthyAsync(cts.Token), second.WaitHealthyAsync(cts.Token));
            var tenant = simulator.CreateTenant().Otherwise(r =>
                SimulatedExperiment.IsJudgeCall(r) ? SimulatedExperiment.Respond(r) : SimStep.Delay(ModelDelay, SimulatedExperiment.Answer(r)));
            var experimentId = await SimulatedExperiment.CreateAsync(client.Services,
                SimulatedExperiment.Draft(simulator, tenant, Cases), cts.Token);
            var iterations = client.Services.GetRequiredService<IterationService>();

            var started = await iterations.StartAsync(await TestActors.OwnerAsync(client.Services, cts.Token), experimentId, cts.Token);
            Assert.Null(started.Error);
            var iterationId = started.IterationId!.Value;

            var instance = await Poll.UntilAsync("a worker to run the ExecuteChunk job", ct => ExecutingChunkInstanceAsync(database, ct),
                i => i is not null, cts.Token);
            var victim = workers.SingleOrDefault(w => instance!.EndsWith($"-{w.Pid}", StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"Quartz instance {instance} is neither worker ({first.Pid}, {second.Pid}).");
            var survivor = workers.Single(w => w != victim);
            // Kill once the first round of calls is in, so the recovered job finds some cases done and some not.
            await Poll.UntilAsync("the first outputs of the chunk", ct => OutputCountAsync(database, iterationId, ct), n => n > 0, cts.Token);
            var killedAt = DateTimeOffset.UtcNow;
            victim.Kill();
            await victim.WaitForExitAsync(cts.Token);

            var view = await IterationAssertions.WaitUntilFinishedAsync(iterations, iterationId, cts.Token);

            Assert.Equal(IterationStatus.Completed, view.Status);
            Assert.True(victim.HasExited);
            Assert.False(survivor.HasExited, "The surviving worker died too.");
            var (outputs, calls, judgments) = await IterationAssertions.AssertExactlyOnceAsync(database.DataSource, iterationId, cts.Token);
            Assert.Equal((Cases, 2 * Cases, Cases), (outputs, calls, judgments));
            Assert.Equal((Cases, Cases), (view.OutputsDone, view.JudgmentsDone));
            // Work after the kill can only have come from the survivor picking the chunk up.
            var modelCalls = tenant.Requests.Where(r => !SimulatedExperiment.IsJudgeCall(r)).ToList();
            Assert.Contains(modelCalls, r => r.ArrivedAt > killedAt);
            Assert.Equal(Enumerable.Range(1, Cases), modelCalls.Select(SimulatedExperiment.CaseNumber).Distinct().Order());
            output.WriteLine($"Killed pid {victim.Pid} at {killedAt:HH:mm:ss.fff}; {modelCalls.Count} model calls for {Cases} cases.");
        }
        catch
        {
            foreach (var worker in workers)
            {
                output.WriteLine($"--- worker pid {worker.Pid} ---\n{worker.Output}");
            }

            throw;
        }
    }

    private static async Task<string?> ExecutingChunkInstanceAsync(TestDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QueryFirstOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT instance_name FROM qrtz_fired_triggers WHERE state = 'EXECUTING' AND job_name LIKE 'exec:%'",
            cancellationToken: cancellationToken));
    }

    private static async Task<int> OutputCountAsync(TestDatabase database, Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*)::int FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id WHERE mr.iteration_id = @iterationId",
            new { iterationId }, cancellationToken: cancellationToken));
    }
}

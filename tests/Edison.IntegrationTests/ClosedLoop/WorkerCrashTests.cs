using Dapper;
using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using Edison.Core.Security;

namespace Edison.IntegrationTests.ClosedLoop;

/// <summary>
/// Crash recovery with a single worker: it is SIGKILLed while executing and again while judging, a new worker process
/// takes over each time, and the iteration completes with exact row counts. A call recorded in llm_calls before a kill
/// is never sent again; only calls that were in flight when the process died are retried.
/// </summary>
public sealed class WorkerCrashTests(ITestOutputHelper output)
{
    private const int Cases = 20;
    private static readonly TimeSpan CallDelay = TimeSpan.FromMilliseconds(700);

    [Fact]
    public async Task Crash_WorkerKilledDuringExecutionAndDuringJudging_IterationCompletesExactlyOnce()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        await using var database = await TestDatabase.CreateAsync(cts.Token);
        await using var simulator = await ProviderSimulator.StartAsync(cts.Token);
        var redis = TestEnvironment.RedisConnectionStringWithPrefix(TestEnvironment.NewRedisPrefix());
        var settings = new Dictionary<string, string> { ["Edison__Scheduler__SweepInterval"] = "00:00:02" };
        using var client = await WorkerLoopFixture.StartClientHostAsync(database.ConnectionString, redis, cts.Token);
        var tenant = simulator.CreateTenant().Otherwise(r => SimStep.Delay(CallDelay, SimulatedExperiment.Respond(r)));
        var experimentId = await SimulatedExperiment.CreateAsync(client.Services,
            SimulatedExperiment.Draft(simulator, tenant, Cases), cts.Token);
        var iterations = client.Services.GetRequiredService<IterationService>();
        var workers = new List<WorkerProcess>();
        try
        {
            workers.Add(WorkerProcess.Start(database.ConnectionString, redis, settings));
            await workers[^1].WaitHealthyAsync(cts.Token);
            var started = await iterations.StartAsync(await TestActors.OwnerOnAsync(client.Services, ResourceKinds.Experiment, experimentId, cts.Token),
                experimentId, cts.Token);
            Assert.Null(started.Error);
            var iterationId = started.IterationId!.Value;

            var recordedBeforeKills = new List<(DateTimeOffset KilledAt, HashSet<string> Keys)>();
            foreach (var (phase, table) in new[] { ("executing", "outputs"), ("judging", "judgments") })
            {
                await Poll.UntilAsync($"some {table} while {phase}", ct => PhaseAsync(database, iterationId, ct),
                    p => p.Status == phase && (phase == "executing" ? p.Outputs : p.Judgments) is > 0 and < Cases, cts.Token);
                var keys = await CallKeysAsync(database, iterationId, cts.Token);
                var killedAt = DateTimeOffset.UtcNow;
                workers[^1].Kill();
                await workers[^1].WaitForExitAsync(cts.Token);
                recordedBeforeKills.Add((killedAt, keys));
                output.WriteLine($"Killed pid {workers[^1].Pid} while {phase} with {keys.Count} recorded calls.");
                workers.Add(WorkerProcess.Start(database.ConnectionString, redis, settings));
                await workers[^1].WaitHealthyAsync(cts.Token);
            }

            var view = await IterationAssertions.WaitUntilFinishedAsync(iterations, iterationId, cts.Token);

            Assert.Equal(IterationStatus.Completed, view.Status);
            var (outputs, calls, judgments) = await IterationAssertions.AssertExactlyOnceAsync(database.DataSource, iterationId, cts.Token);
            Assert.Equal((Cases, 2 * Cases, Cases), (outputs, calls, judgments));
            Assert.Equal((0, 0), (view.FailedOutputs, view.FailedJudgments));
            Assert.Equal(Enumerable.Range(1, Cases).Average(SimulatedExperiment.ScoreFor), view.MeanScore);

            // No recorded call is sent again after a kill; the requests beyond one per call are only those cut off in flight.
            foreach (var (killedAt, keys) in recordedBeforeKills)
            {
                var resent = tenant.Requests.Where(r => r.ArrivedAt > killedAt).Select(KeyOf).Where(keys.Contains).ToList();
                Assert.Empty(resent);
            }

            var extra = tenant.Requests.Count - calls;
            output.WriteLine($"{tenant.Requests.Count} provider requests for {calls} recorded calls ({extra} cut off in flight by the kills).");
            // At most MaxConcurrency (8) jobs × ChunkConcurrency (4) calls are in flight at each of the two kills.
            Assert.InRange(extra, 0, 2 * 8 * 4);
        }
        catch
        {
            foreach (var worker in workers)
            {
                output.WriteLine($"--- worker pid {worker.Pid} ---\n{worker.Output}");
            }

            throw;
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }

    // The logical call a request belongs to, in the same words as its call key's tail.
    private static string KeyOf(SimRequest request) =>
        (SimulatedExperiment.IsJudgeCall(request) ? "judge:" : "exec:") + SimulatedExperiment.CaseNumber(request);

    private static async Task<HashSet<string>> CallKeysAsync(TestDatabase database, Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Purpose, string Question)>(new CommandDefinition("""
            SELECT l.purpose, c.input ->> 'question'
            FROM llm_calls l
            JOIN outputs o ON o.llm_call_id = l.id OR o.id = (SELECT j.output_id FROM judgments j WHERE j.llm_call_id = l.id)
            JOIN cases c ON c.id = o.case_id
            WHERE l.iteration_id = @iterationId
            """, new { iterationId }, cancellationToken: cancellationToken));
        return rows.Select(r => (r.Purpose == "judge" ? "judge:" : "exec:") + r.Question["question-".Length..]).ToHashSet(StringComparer.Ordinal);
    }

    private static async Task<(string Status, int Outputs, int Judgments)> PhaseAsync(TestDatabase database, Guid iterationId,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<(string, int, int)>(new CommandDefinition("""
            SELECT status,
                   (SELECT count(*)::int FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id WHERE mr.iteration_id = i.id),
                   (SELECT count(*)::int FROM judgments WHERE iteration_id = i.id)
            FROM iterations i WHERE i.id = @iterationId
            """, new { iterationId }, cancellationToken: cancellationToken));
    }
}

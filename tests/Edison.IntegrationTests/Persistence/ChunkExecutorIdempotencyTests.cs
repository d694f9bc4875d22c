using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.Jobs;
using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Edison.Testing;
using Edison.Core.Security;

namespace Edison.IntegrationTests.Persistence;

/// <summary>
/// Re-running a chunk (a recovered job, a duplicate trigger) never duplicates work: unique-key conflicts are skipped,
/// and a provider call already recorded is reused instead of paid for again.
/// </summary>
public sealed class ChunkExecutorIdempotencyTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private const int Cases = 5;

    [Fact]
    public async Task ExecuteChunkAsync_SameChunkTwice_WritesOneOutputPerCaseAndCallsTheProviderOncePerCase()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(SimulatedExperiment.Answer);
        var chunk = await PrepareChunkAsync(tenant, cts.Token);
        var executor = fixture.Services.GetRequiredService<ChunkExecutor>();

        await executor.ExecuteChunkAsync(chunk.ModelRunId, chunk.From, chunk.Count, cts.Token);
        await executor.ExecuteChunkAsync(chunk.ModelRunId, chunk.From, chunk.Count, cts.Token);

        var outputs = await OutputsAsync(chunk.ModelRunId, cts.Token);
        Assert.Equal(Cases, outputs.Count);
        Assert.All(outputs, o => Assert.Equal(1, o.Rows));
        Assert.All(outputs, o => Assert.Equal("succeeded", o.Status));
        await AssertOneCallRowPerKeyAsync(chunk.IterationId, cts.Token);
        AssertEachCaseRequestedOnce(tenant);
    }

    [Fact]
    public async Task ExecuteChunkAsync_RerunAfterOutputsWereLost_ReusesTheRecordedCallsWithoutCallingTheProvider()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(SimulatedExperiment.Answer);
        var chunk = await PrepareChunkAsync(tenant, cts.Token);
        var executor = fixture.Services.GetRequiredService<ChunkExecutor>();
        await executor.ExecuteChunkAsync(chunk.ModelRunId, chunk.From, chunk.Count, cts.Token);
        var before = await OutputsAsync(chunk.ModelRunId, cts.Token);

        // A worker killed between recording its calls and writing its outputs leaves exactly this state.
        await using (var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token))
        {
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM outputs WHERE model_run_id = @ModelRunId", chunk,
                cancellationToken: cts.Token));
        }

        await executor.ExecuteChunkAsync(chunk.ModelRunId, chunk.From, chunk.Count, cts.Token);

        var after = await OutputsAsync(chunk.ModelRunId, cts.Token);
        Assert.Equal(before.Select(o => (o.CaseId, o.Sample, o.LlmCallId, o.Text)), after.Select(o => (o.CaseId, o.Sample, o.LlmCallId, o.Text)));
        Assert.All(after, o => Assert.Equal(1, o.Rows));
        await AssertOneCallRowPerKeyAsync(chunk.IterationId, cts.Token);
        AssertEachCaseRequestedOnce(tenant);
    }

    [Fact]
    public async Task ExecuteChunkAsync_TwoRunsAtOnce_SkipsTheConflictsAndKeepsOneRowPerKey()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // Slow answers make the two runs overlap on every case.
        var tenant = fixture.Simulator.CreateTenant()
            .Otherwise(r => SimStep.Delay(TimeSpan.FromMilliseconds(300), SimulatedExperiment.Answer(r)));
        var chunk = await PrepareChunkAsync(tenant, cts.Token);
        var executor = fixture.Services.GetRequiredService<ChunkExecutor>();

        await Task.WhenAll(
            Task.Run(() => executor.ExecuteChunkAsync(chunk.ModelRunId, chunk.From, chunk.Count, cts.Token), cts.Token),
            Task.Run(() => executor.ExecuteChunkAsync(chunk.ModelRunId, chunk.From, chunk.Count, cts.Token), cts.Token));

        var outputs = await OutputsAsync(chunk.ModelRunId, cts.Token);
        Assert.Equal(Cases, outputs.Count);
        Assert.All(outputs, o => Assert.Equal(1, o.Rows));
        var calls = await AssertOneCallRowPerKeyAsync(chunk.IterationId, cts.Token);
        // Whichever run lost the race points its output at the winner's call row, never at a call that was not kept.
        Assert.All(outputs, o => Assert.Contains(o.LlmCallId, calls.Select(c => c.Id)));
        Assert.InRange(tenant.Requests.Count, Cases, 2 * Cases);
    }

    private async Task<Chunk> PrepareChunkAsync(SimTenant tenant, CancellationToken cancellationToken)
    {
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services,
            SimulatedExperiment.Draft(fixture.Simulator, tenant, Cases), cancellationToken);
        var started = await fixture.Services.GetRequiredService<IterationService>().StartAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.Experiment, experimentId, cancellationToken), experimentId, cancellationToken);
        Assert.Null(started.Error);
        var iterationId = started.IterationId!.Value;

        // What the AdvanceIteration job does: pending → executing, and one ExecuteChunk request per chunk.
        await fixture.Services.GetRequiredService<IterationCoordinator>().AdvanceAsync(iterationId, cancellationToken);

        var request = Assert.Single(fixture.Jobs.Requests, r =>
            r.JobType == WorkerJobs.ExecuteChunk && r.Data[WorkerJobs.Keys.IterationId] == iterationId.ToString());
        return new Chunk(iterationId, Guid.Parse(request.Data[WorkerJobs.Keys.ModelRunId]), int.Parse(request.Data[WorkerJobs.Keys.From],
            System.Globalization.CultureInfo.InvariantCulture), int.Parse(request.Data[WorkerJobs.Keys.Count], System.Globalization.CultureInfo.InvariantCulture));
    }

    private async Task<List<OutputRow>> OutputsAsync(Guid modelRunId, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<OutputRow>(new CommandDefinition("""
            SELECT case_id, sample, count(*)::int AS rows, min(status) AS status, min(text) AS text, min(llm_call_id::text)::uuid AS llm_call_id
            FROM outputs WHERE model_run_id = @modelRunId
            GROUP BY case_id, sample ORDER BY case_id, sample
            """, new { modelRunId }, cancellationToken: cancellationToken))).ToList();
    }

    private async Task<List<CallRow>> AssertOneCallRowPerKeyAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        var calls = (await connection.QueryAsync<CallRow>(new CommandDefinition(
            "SELECT id, call_key, status, attempts FROM llm_calls WHERE iteration_id = @iterationId ORDER BY call_key",
            new { iterationId }, cancellationToken: cancellationToken))).ToList();
        Assert.Equal(Cases, calls.Count);
        Assert.Equal(Cases, calls.Select(c => c.CallKey).Distinct(StringComparer.Ordinal).Count());
        Assert.All(calls, c => Assert.Equal("succeeded", c.Status));
        Assert.All(calls, c => Assert.Equal(1, c.Attempts));
        return calls;
    }

    private static void AssertEachCaseRequestedOnce(SimTenant tenant) =>
        Assert.Equal(Enumerable.Range(1, Cases), tenant.Requests.Select(SimulatedExperiment.CaseNumber).Order());

    private sealed record Chunk(Guid IterationId, Guid ModelRunId, int From, int Count);

    private sealed record OutputRow(Guid CaseId, int Sample, int Rows, string Status, string Text, Guid LlmCallId);

    private sealed record CallRow(Guid Id, string CallKey, string Status, int Attempts);
}

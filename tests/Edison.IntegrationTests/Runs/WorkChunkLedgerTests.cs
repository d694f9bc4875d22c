using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.Runs;
using Edison.Core.Security;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Runs;

/// <summary>
/// The chunk ledger that lets a finished chunk skip counting the whole iteration: a phase's chunks are opened when it
/// schedules them, each closes when its range is written, progress reads from it, and a repair re-opens a chunk whose
/// rows went missing after it closed (the exact counts, not the ledger, decide the phase).
/// </summary>
public sealed class WorkChunkLedgerTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private const int Cases = 20;

    [Fact]
    public async Task Ledger_ClosesChunksAsTheyFinish_AndARepairReopensOneWhoseOutputWasLost()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var services = fixture.Services;
        var tenant = fixture.Simulator.CreateTenant().Otherwise(SimulatedExperiment.Respond);
        var experimentId = await SimulatedExperiment.CreateAsync(services, SimulatedExperiment.Draft(fixture.Simulator, tenant, Cases), cts.Token);
        var actor = await TestActors.OwnerOnAsync(services, ResourceKinds.Experiment, experimentId, cts.Token);
        var iterationId = (await services.GetRequiredService<IterationService>().StartAsync(actor, experimentId, cts.Token)).IterationId!.Value;
        var coordinator = services.GetRequiredService<IterationCoordinator>();
        var ledger = services.GetRequiredService<WorkChunkLedger>();
        var executor = services.GetRequiredService<ChunkExecutor>();
        var chunks = await services.GetRequiredService<WorkProgress>().IncompleteExecuteChunksAsync(iterationId, cts.Token);

        await coordinator.AdvanceAsync(iterationId, cts.Token);
        Assert.Equal((0, Cases), await ledger.ProgressAsync(iterationId, WorkChunkLedger.ExecutePhase, cts.Token));
        Assert.Equal(Cases / WorkProgress.ChunkSize(Cases), chunks.Count);

        foreach (var chunk in chunks.SkipLast(1))
        {
            await executor.ExecuteChunkAsync(chunk.ModelRunId, chunk.From, chunk.Count, cts.Token);
        }

        Assert.Equal((Cases - chunks[^1].Items, Cases), await ledger.ProgressAsync(iterationId, WorkChunkLedger.ExecutePhase, cts.Token));
        Assert.True(await ledger.AnyOpenAsync(iterationId, WorkChunkLedger.ExecutePhase, cts.Token));

        // An output of the first (closed) chunk disappears: only the exact count of a repair can know.
        await using (var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token))
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                DELETE FROM outputs WHERE id = (SELECT o.id FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id
                                                 JOIN iterations i ON i.id = mr.iteration_id
                                                 JOIN dataset_version_cases dvc ON dvc.dataset_version_id = i.dataset_version_id AND dvc.case_id = o.case_id
                                                 WHERE mr.iteration_id = @iterationId AND dvc.position = 0)
                """, new { iterationId }, cancellationToken: cts.Token));
        }

        await coordinator.AdvanceAsync(iterationId, cts.Token);
        Assert.Equal((Cases - chunks[0].Items - chunks[^1].Items, Cases), await ledger.ProgressAsync(iterationId, WorkChunkLedger.ExecutePhase, cts.Token));

        await executor.ExecuteChunkAsync(chunks[0].ModelRunId, chunks[0].From, chunks[0].Count, cts.Token);
        await executor.ExecuteChunkAsync(chunks[^1].ModelRunId, chunks[^1].From, chunks[^1].Count, cts.Token);
        Assert.False(await ledger.AnyOpenAsync(iterationId, WorkChunkLedger.ExecutePhase, cts.Token));
        Assert.Equal((Cases, Cases), await ledger.ProgressAsync(iterationId, WorkChunkLedger.ExecutePhase, cts.Token));

        await coordinator.AdvanceAsync(iterationId, cts.Token);
        var judging = await ledger.ProgressAsync(iterationId, WorkChunkLedger.JudgePhase, cts.Token);
        Assert.Equal((0, Cases), judging);
        Assert.True(await ledger.AnyOpenAsync(iterationId, WorkChunkLedger.JudgePhase, cts.Token));
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using Edison.Core.Events;

namespace Edison.Core.Runs;

/// <summary>
/// What every execute and judge chunk does when its calls are over: close its ledger entry if its whole range now has rows,
/// then tell the iteration's watchers how far the phase is and what it has cost.
/// </summary>
internal sealed class ChunkCompletion(WorkChunkLedger ledger, WorkProgress progress, IEventBus events)
{
    /// <summary>
    /// Closes the chunk when <paramref name="complete"/> (every row it found missing is now written: none skipped by a pause,
    /// a budget stop or a cancellation) and publishes the phase's progress.
    /// </summary>
    public async Task FinishAsync(Guid experimentId, Guid iterationId, string phase, string chunkKey, bool complete,
        CancellationToken cancellationToken)
    {
        if (complete)
        {
            await ledger.CloseAsync(iterationId, chunkKey, cancellationToken);
        }

        // Progress from the ledger costs O(chunks); an iteration whose chunks were never put on it (driven chunk by chunk)
        // is counted row by row.
        var (done, total) = await ledger.ProgressAsync(iterationId, phase, cancellationToken)
            ?? (phase == WorkChunkLedger.ExecutePhase
                ? await progress.OutputsAsync(iterationId, cancellationToken)
                : await progress.JudgmentsAsync(iterationId, cancellationToken));
        var status = phase == WorkChunkLedger.ExecutePhase ? IterationStatus.Executing : IterationStatus.Judging;
        await events.PublishAsync(new ExperimentEvent(experimentId, iterationId, ExperimentEvent.Progress, status, done, total)
        {
            CostUsd = await CostAsync(iterationId, phase, cancellationToken),
        }, cancellationToken);
    }

    /// <summary>
    /// The iteration's cost so far, summed at most once a second per phase in this process (the first event of a phase
    /// always sums): the sum reads every call of the iteration, so summing it after each of thousands of chunks was
    /// O(iteration) each.
    /// </summary>
    private async Task<decimal> CostAsync(Guid iterationId, string phase, CancellationToken cancellationToken)
    {
        var key = (iterationId, phase);
        if (_costs.TryGetValue(key, out var known) && Stopwatch.GetElapsedTime(known.At) < CostReuse)
        {
            return known.Cost;
        }

        var at = Stopwatch.GetTimestamp();
        var cost = await progress.CostAsync(iterationId, cancellationToken);
        _costs[key] = (cost, at);
        if (_costs.Count > 1000)
        {
            // Finished iterations' entries: dropped in bulk now and then.
            _costs.Clear();
        }

        return cost;
    }

    private static readonly TimeSpan CostReuse = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<(Guid, string), (decimal Cost, long At)> _costs = new();
}

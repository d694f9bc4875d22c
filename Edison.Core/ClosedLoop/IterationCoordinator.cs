using Edison.Core.Events;
using Edison.Core.Jobs;
using Edison.Core.Judging;
using Edison.Core.Runs;
using Microsoft.Extensions.Logging;

namespace Edison.Core.ClosedLoop;

/// <summary>
/// Moves an iteration forward from whatever state the database says it is in. Idempotent: called after every chunk,
/// by the periodic sweeper and on recovery, it never repeats a transition and re-schedules only missing work.
/// </summary>
public sealed partial class IterationCoordinator
{
    private readonly IterationStateStore _states;
    private readonly IterationLifecycle _lifecycle;
    private readonly WorkProgress _progress;
    private readonly WorkChunkLedger _chunks;
    private readonly IterationAggregator _aggregator;
    private readonly LoopState _loop;
    private readonly ReviewService _reviews;
    private readonly IMeasuredRunFinisher _regressions;
    private readonly IJobScheduler _jobs;
    private readonly IEventBus _events;
    private readonly ILogger<IterationCoordinator> _logger;

    internal IterationCoordinator(IterationStateStore states, IterationLifecycle lifecycle, WorkProgress progress, WorkChunkLedger chunks, IterationAggregator aggregator,
        LoopState loop, ReviewService reviews, IMeasuredRunFinisher regressions, IJobScheduler jobs, IEventBus events,
        ILogger<IterationCoordinator> logger)
    {
        _chunks = chunks;
        _regressions = regressions;
        _reviews = reviews;
        _loop = loop;
        _states = states;
        _lifecycle = lifecycle;
        _progress = progress;
        _aggregator = aggregator;
        _jobs = jobs;
        _events = events;
        _logger = logger;
    }

    /// <summary>Advances the iteration as far as finished work allows, re-scheduling any chunk of the current phase that misses rows.</summary>
    internal Task AdvanceAsync(Guid iterationId, CancellationToken cancellationToken) => AdvanceAsync(iterationId, true, cancellationToken);

    /// <summary>
    /// What a chunk job calls when it finishes: moves the iteration on once its phase is done, but neither counts the phase's
    /// rows while the chunk ledger still has open chunks nor lists its missing chunks. Every chunk of a phase is scheduled
    /// when the phase starts and a crashed worker's chunks are recovered by Quartz, so either (O(iteration) rows per chunk)
    /// would only repeat work, O(n²) over the iteration; the sweeper and the advance job still count exactly and repair.
    /// </summary>
    internal Task AdvanceAfterChunkAsync(Guid iterationId, CancellationToken cancellationToken) => AdvanceAsync(iterationId, false, cancellationToken);

    private async Task AdvanceAsync(Guid iterationId, bool repair, CancellationToken cancellationToken)
    {
        var state = await _states.GetAsync(iterationId, cancellationToken);
        if (state is null || IterationStatus.IsTerminal(state.Status) || state.IsPaused)
        {
            return;
        }

        var before = state.Status;
        if (state.Status == IterationStatus.Pending)
        {
            await TransitionAsync(state, IterationLifecycle.StartExecuting, _lifecycle.StartExecutingAsync, cancellationToken);
            state = state with { Status = IterationStatus.Executing };
        }

        if (state.Status == IterationStatus.Executing)
        {
            if (!repair && state.Status == before && await _chunks.AnyOpenAsync(iterationId, WorkChunkLedger.ExecutePhase, cancellationToken))
            {
                return;
            }

            var (done, total) = await _progress.OutputsAsync(iterationId, cancellationToken);
            if (done < total)
            {
                if (repair || state.Status != before)
                {
                    await EnsureExecuteJobsAsync(iterationId, repair, cancellationToken);
                }

                return;
            }

            await TransitionAsync(state, IterationLifecycle.StartJudging, _lifecycle.StartJudgingAsync, cancellationToken);
            state = state with { Status = IterationStatus.Judging };
        }

        if (state.Status == IterationStatus.Judging)
        {
            if (!repair && state.Status == before && await _chunks.AnyOpenAsync(iterationId, WorkChunkLedger.JudgePhase, cancellationToken))
            {
                return;
            }

            var (done, total) = await _progress.JudgmentsAsync(iterationId, cancellationToken);
            if (done < total)
            {
                // Entering the phase (just transitioned) always schedules its chunks.
                if (repair || state.Status != before)
                {
                    await EnsureJudgeJobsAsync(iterationId, repair, cancellationToken);
                }

                return;
            }

            // Too few usable verdicts: the iteration stops here rather than score, refine or ask a person on nothing.
            var verdicts = await _progress.VerdictsAsync(iterationId, cancellationToken);
            if (verdicts.FailureReason is { } reason)
            {
                if (await _lifecycle.FailJudgingAsync(iterationId, reason, cancellationToken) is not null)
                {
                    LogTransition(state.Id, state.Status, IterationStatus.JudgingFailed);
                    RecordVerdicts(iterationId, verdicts);
                    LogJudgingFailed(iterationId, reason);
                    await _events.PublishAsync(new ExperimentEvent(state.ExperimentId, state.Id, ExperimentEvent.StatusChanged,
                        IterationStatus.JudgingFailed, 0, 0), cancellationToken);
                }

                return;
            }

            if (await _lifecycle.StartAggregatingAsync(iterationId, cancellationToken) is not null)
            {
                LogTransition(state.Id, state.Status, IterationStatus.Aggregating);
                RecordVerdicts(iterationId, verdicts);
                await _events.PublishAsync(new ExperimentEvent(state.ExperimentId, state.Id, ExperimentEvent.StatusChanged,
                    IterationStatus.Aggregating, 0, 0), cancellationToken);
            }

            state = state with { Status = IterationStatus.Aggregating };
        }

        if (state.Status == IterationStatus.Aggregating)
        {
            // The last chunks and the sweeper can all arrive here at once; one of them aggregates (and pays for the summary).
            await using var step = await _states.TryLockAsync(iterationId, "aggregate", cancellationToken);
            if (step is null || (await _states.GetAsync(iterationId, cancellationToken))?.Status != IterationStatus.Aggregating)
            {
                return;
            }

            var (_, comparison) = await _aggregator.AggregateAsync(iterationId, cancellationToken);
            // A scheduled regression run only measures production: it is compared, never refined, and stops no loop.
            if (await _regressions.FinishAsync(iterationId, comparison, cancellationToken))
            {
                await TransitionAsync(state, IterationLifecycle.CompleteMeasured, _lifecycle.CompleteMeasuredAsync, cancellationToken);
                return;
            }

            var stop = await _loop.AfterAggregationAsync(iterationId, comparison, cancellationToken);
            if (stop is not null)
            {
                await TransitionAsync(state, IterationLifecycle.CompleteMeasured, _lifecycle.CompleteMeasuredAsync, cancellationToken);
                return;
            }

            await TransitionAsync(state, IterationLifecycle.StartRefining, _lifecycle.StartRefiningAsync, cancellationToken);
            state = state with { Status = IterationStatus.Refining };
        }

        if (state.Status == IterationStatus.Refining)
        {
            await _jobs.EnqueueAsync(new JobRequest(WorkerJobs.RefineIteration, $"refine:{iterationId}",
                new Dictionary<string, string> { [WorkerJobs.Keys.IterationId] = iterationId.ToString() }, JobPriority.Chunk), cancellationToken);
        }

        // After a crash between storing a suggestion and autopilot's decision, the decision is made here.
        if (state.Status == IterationStatus.Reviewing)
        {
            await _reviews.TryAutoApplyAsync(iterationId, cancellationToken);
        }
    }

    private async Task TransitionAsync(IterationState state, IterationTransition transition, Func<Guid, CancellationToken, Task<Guid?>> take,
        CancellationToken cancellationToken)
    {
        if (await take(state.Id, cancellationToken) is not null)
        {
            LogTransition(state.Id, state.Status, transition.To);
            await _events.PublishAsync(new ExperimentEvent(state.ExperimentId, state.Id, ExperimentEvent.StatusChanged, transition.To, 0, 0),
                cancellationToken);
        }
    }

    /// The phase's incomplete chunks go on the ledger before their jobs are scheduled, so no chunk can finish unrecorded.
    private async Task EnsureExecuteJobsAsync(Guid iterationId, bool repair, CancellationToken cancellationToken)
    {
        var incomplete = await _progress.IncompleteExecuteChunksAsync(iterationId, cancellationToken);
        await _chunks.OpenAsync(iterationId, WorkChunkLedger.ExecutePhase,
            incomplete.Select(c => (WorkChunkLedger.ExecuteKey(c.ModelRunId, c.From), c.Items)).ToList(), repair, cancellationToken);
        await _jobs.EnqueueManyAsync(incomplete.Select(chunk => new JobRequest(WorkerJobs.ExecuteChunk,
            WorkChunkLedger.ExecuteKey(chunk.ModelRunId, chunk.From), new Dictionary<string, string>
            {
                [WorkerJobs.Keys.IterationId] = iterationId.ToString(),
                [WorkerJobs.Keys.ModelRunId] = chunk.ModelRunId.ToString(),
                [WorkerJobs.Keys.From] = chunk.From.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [WorkerJobs.Keys.Count] = chunk.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }, JobPriority.Chunk)).ToList(), cancellationToken);
    }

    private async Task EnsureJudgeJobsAsync(Guid iterationId, bool repair, CancellationToken cancellationToken)
    {
        var incomplete = await _progress.IncompleteJudgeChunksAsync(iterationId, cancellationToken);
        await _chunks.OpenAsync(iterationId, WorkChunkLedger.JudgePhase,
            incomplete.Select(c => (WorkChunkLedger.JudgeKey(iterationId, c.JudgeConfigId, c.ModelRunId, c.From), c.Items)).ToList(), repair,
            cancellationToken);
        await _jobs.EnqueueManyAsync(incomplete.Select(chunk => new JobRequest(WorkerJobs.JudgeChunk,
            WorkChunkLedger.JudgeKey(iterationId, chunk.JudgeConfigId, chunk.ModelRunId, chunk.From), new Dictionary<string, string>
            {
                [WorkerJobs.Keys.IterationId] = iterationId.ToString(),
                [WorkerJobs.Keys.JudgeConfigId] = chunk.JudgeConfigId.ToString(),
                [WorkerJobs.Keys.ModelRunId] = chunk.ModelRunId.ToString(),
                [WorkerJobs.Keys.From] = chunk.From.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [WorkerJobs.Keys.Count] = chunk.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }, JobPriority.Chunk)).ToList(), cancellationToken);
    }

    // One log line and one metric record per judge, once per iteration: by whichever caller took the transition out of judging.
    private void RecordVerdicts(Guid iterationId, VerdictCounts verdicts)
    {
        foreach (var judge in verdicts.Judges)
        {
            JudgeMetrics.Record(judge.Model, judge.Valid, judge.Failed);
            if (judge.Valid * 2 < judge.Valid + judge.Failed)
            {
                LogJudgeMostlyFailed(iterationId, judge.Model, judge.JudgeConfigId, judge.Valid, judge.Failed);
            }
            else
            {
                LogJudgeVerdicts(iterationId, judge.Model, judge.JudgeConfigId, judge.Valid, judge.Failed);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Iteration {IterationId} judge {JudgeModel} ({JudgeConfigId}): {Valid} valid, {Failed} failed verdicts")]
    private partial void LogJudgeVerdicts(Guid iterationId, string judgeModel, Guid judgeConfigId, int valid, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Iteration {IterationId} judge {JudgeModel} ({JudgeConfigId}): {Valid} valid, {Failed} failed verdicts")]
    private partial void LogJudgeMostlyFailed(Guid iterationId, string judgeModel, Guid judgeConfigId, int valid, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Iteration {IterationId} ended judging failed: {Reason}")]
    private partial void LogJudgingFailed(Guid iterationId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Iteration {IterationId} moved from {From} to {To}")]
    private partial void LogTransition(Guid iterationId, string from, string to);
}

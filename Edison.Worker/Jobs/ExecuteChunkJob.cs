using Edison.Core.ClosedLoop;
using Edison.Core.Jobs;
using Edison.Core.Runs;
using Quartz;

namespace Edison.Worker.Jobs;

internal sealed class ExecuteChunkJob(ChunkExecutor executor, IterationCoordinator coordinator, ILogger<ExecuteChunkJob> logger) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => JobRunner.RunAsync(context, logger, async ct =>
    {
        await executor.ExecuteChunkAsync(context.GetGuid(WorkerJobs.Keys.ModelRunId), context.GetInt(WorkerJobs.Keys.From),
            context.GetInt(WorkerJobs.Keys.Count), ct);
        await coordinator.AdvanceAfterChunkAsync(context.GetGuid(WorkerJobs.Keys.IterationId), ct);
    }, cancellationToken);
}

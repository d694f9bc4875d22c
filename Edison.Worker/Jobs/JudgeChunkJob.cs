using Edison.Core.ClosedLoop;
using Edison.Core.Jobs;
using Edison.Core.Runs;
using Quartz;

namespace Edison.Worker.Jobs;

internal sealed class JudgeChunkJob(JudgeRunner judge, IterationCoordinator coordinator, ILogger<JudgeChunkJob> logger) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => JobRunner.RunAsync(context, logger, async ct =>
    {
        var iterationId = context.GetGuid(WorkerJobs.Keys.IterationId);
        await judge.JudgeChunkAsync(iterationId, context.GetGuid(WorkerJobs.Keys.JudgeConfigId), context.GetGuid(WorkerJobs.Keys.ModelRunId),
            context.GetInt(WorkerJobs.Keys.From), context.GetInt(WorkerJobs.Keys.Count), ct);
        await coordinator.AdvanceAfterChunkAsync(iterationId, ct);
    }, cancellationToken);
}

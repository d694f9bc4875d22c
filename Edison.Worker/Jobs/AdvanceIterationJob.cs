using Edison.Core.ClosedLoop;
using Edison.Core.Jobs;
using Quartz;

namespace Edison.Worker.Jobs;

internal sealed class AdvanceIterationJob(IterationCoordinator coordinator, ILogger<AdvanceIterationJob> logger) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => JobRunner.RunAsync(context, logger,
        ct => coordinator.AdvanceAsync(context.GetGuid(WorkerJobs.Keys.IterationId), ct), cancellationToken);
}

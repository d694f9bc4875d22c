using Edison.Core.Jobs;
using Edison.Core.ClosedLoop;
using Quartz;

namespace Edison.Worker.Jobs;

internal sealed class RefineIterationJob(RefinementService refinement, ILogger<RefineIterationJob> logger) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => JobRunner.RunAsync(context, logger,
        ct => refinement.RefineAsync(context.GetGuid(WorkerJobs.Keys.IterationId), ct), cancellationToken);
}

using Edison.Core.Jobs;
using Edison.Core.Regression;
using Quartz;

namespace Edison.Worker.Jobs;

/// Fired by an experiment's cron trigger. An experiment whose schedule is gone (turned off, or the experiment deleted) takes
/// its job and trigger with it.
[DisallowConcurrentExecution]
internal sealed class RegressionRunJob(RegressionRunService runs, ILogger<RegressionRunJob> logger) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => TransientRetry.RunAsync(context, logger,
        async ct =>
        {
            if (!await runs.StartAsync(context.GetGuid(WorkerJobs.Keys.ExperimentId), ct))
            {
                await context.Scheduler.DeleteJob(context.JobDetail.Key, ct);
            }
        }, cancellationToken);
}

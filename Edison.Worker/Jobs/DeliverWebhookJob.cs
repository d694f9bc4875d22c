using Edison.Core.Jobs;
using Edison.Core.Regression;
using Quartz;

namespace Edison.Worker.Jobs;

internal sealed class DeliverWebhookJob(RegressionWebhookSender sender, ILogger<DeliverWebhookJob> logger) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => TransientRetry.RunAsync(context, logger,
        ct => sender.DeliverAsync(context.GetGuid(WorkerJobs.Keys.AlertId), ct), cancellationToken);
}

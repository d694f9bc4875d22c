using Edison.Core.Runs;
using Quartz;

namespace Edison.Worker.Jobs;

/// Re-drives every unfinished iteration, so work whose follow-up was lost (a crash between a transition and its
/// scheduling, a database outage) resumes from the database within one sweep interval.
[DisallowConcurrentExecution]
internal sealed class ActiveIterationSweepJob(IterationSweeper sweeper, ILogger<ActiveIterationSweepJob> logger) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => JobRunner.RunAsync(context, logger, sweeper.SweepAsync, cancellationToken);
}

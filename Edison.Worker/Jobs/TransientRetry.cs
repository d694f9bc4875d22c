using Edison.Core.Persistence;
using Quartz;

namespace Edison.Worker.Jobs;

/// When the database blips, a chunk job schedules itself again a little later instead of failing the work.
internal static partial class TransientRetry
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(5);

    public static async ValueTask RunAsync(IJobExecutionContext context, ILogger logger, Func<CancellationToken, Task> work,
        CancellationToken cancellationToken)
    {
        try
        {
            await work(cancellationToken);
        }
        catch (Exception ex) when (PostgresErrors.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
        {
            LogRescheduling(logger, ex, context.JobDetail.Key.Name, (int)Delay.TotalSeconds);
            var retry = TriggerBuilder.Create(TimeProvider.System)
                .ForJob(context.JobDetail.Key)
                .WithPriority(context.Trigger.Priority)
                .StartAt(DateTimeOffset.UtcNow + Delay);
            if (context.Trigger.ExecutionGroup is { } group)
            {
                retry = retry.WithExecutionGroup(group);
            }

            await context.Scheduler.ScheduleJob(retry.Build(), default, CancellationToken.None);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database error in job {JobKey}; running it again in {Seconds} s")]
    private static partial void LogRescheduling(ILogger logger, Exception exception, string jobKey, int seconds);
}

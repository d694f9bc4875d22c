using Edison.Core.Jobs;
using Edison.Core.Regression;
using Quartz;

namespace Edison.Worker.Scheduling;

/// Each experiment's scheduled regression runs as one durable job with one cron trigger (UTC) in the clustered store, so the
/// schedule survives restarts and fires on exactly one worker. A trigger missed while no worker ran fires once on recovery.
internal sealed class QuartzRegressionScheduler(ISchedulerFactory schedulerFactory, TimeProvider time) : IRegressionScheduler
{
    public const string Group = "regression";

    // Runs re-judge every case; more often than this is a mistake (or a bill), not a regression schedule.
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromMinutes(15);

    public static JobKey JobKeyFor(Guid experimentId) => new($"regression:{experimentId}", Group);

    public static TriggerKey TriggerKeyFor(Guid experimentId) => new($"regression:{experimentId}", Group);

    public string? Validate(string cron)
    {
        ArgumentNullException.ThrowIfNull(cron);
        CronExpression expression;
        try
        {
            expression = new CronExpression(cron, TimeZoneInfo.Utc);
        }
        catch (FormatException ex)
        {
            return $"That is not a Quartz cron expression ({ex.Message}). Six fields: second minute hour day-of-month month day-of-week, e.g. 0 30 2 ? * MON-FRI.";
        }

        var previous = expression.GetNextValidTimeAfter(time.GetUtcNow());
        if (previous is null)
        {
            return "That expression never fires again.";
        }

        for (var i = 0; i < 20; i++)
        {
            var next = expression.GetNextValidTimeAfter(previous.Value);
            if (next is null)
            {
                break;
            }

            if (next.Value - previous.Value < MinimumInterval)
            {
                return $"That fires more often than every {MinimumInterval.TotalMinutes:0} minutes; each run re-runs and re-judges every case.";
            }

            previous = next;
        }

        return null;
    }

    public async Task ScheduleAsync(Guid experimentId, string cron, CancellationToken cancellationToken)
    {
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        var job = JobBuilder.Create()
            .OfType(new JobType(WorkerJobs.RegressionRun))
            .WithIdentity(JobKeyFor(experimentId))
            .UsingJobData(WorkerJobs.Keys.ExperimentId, experimentId.ToString())
            .StoreDurably()
            .Build();
        var trigger = TriggerBuilder.Create(time)
            .WithIdentity(TriggerKeyFor(experimentId))
            .ForJob(job)
            .WithPriority((int)JobPriority.Interactive)
            .WithCronSchedule(cron, c => c.InTimeZone(TimeZoneInfo.Utc).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
            .Build();
        await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);
    }

    public async Task UnscheduleAsync(Guid experimentId, CancellationToken cancellationToken)
    {
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        await scheduler.DeleteJob(JobKeyFor(experimentId), cancellationToken);
    }

    public async Task<DateTimeOffset?> NextRunAsync(Guid experimentId, CancellationToken cancellationToken)
    {
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        var trigger = await scheduler.GetTrigger(TriggerKeyFor(experimentId), cancellationToken);
        return trigger?.NextFireTimeUtc;
    }
}

using Edison.Worker.Jobs;
using Edison.Worker.Scheduling;
using Edison.Worker.Telemetry;
using Quartz;

namespace Edison.Worker;

internal static class JobsRegistration
{
    /// The worker's scheduler: runs jobs, and sweeps unfinished iterations on a fixed interval.
    public static IHostApplicationBuilder AddEdisonJobs(this IHostApplicationBuilder builder)
    {
        var sweepEvery = builder.Configuration.GetValue("Edison:Scheduler:SweepInterval", TimeSpan.FromSeconds(30));
        builder.AddEdisonScheduler(runsJobs: true, q =>
        {
            var sweepKey = new JobKey("sweep-active-iterations", "maintenance");
            q.AddJob<ActiveIterationSweepJob>(j => j.WithIdentity(sweepKey).StoreDurably());
            q.AddTrigger(t => t.ForJob(sweepKey).WithIdentity("sweep-active-iterations", "maintenance")
                .StartAt(DateTimeOffset.UtcNow + sweepEvery)
                .WithSimpleSchedule(s => s.WithInterval(sweepEvery).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
        });
        builder.Services.AddHealthChecks().AddQuartz();
        builder.Services.AddHostedService<JobQueueDepth>();
        return builder;
    }
}

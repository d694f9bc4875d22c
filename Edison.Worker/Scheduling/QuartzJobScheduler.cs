using Edison.Core.Jobs;
using Quartz;

namespace Edison.Worker.Scheduling;

internal sealed class QuartzJobScheduler(ISchedulerFactory schedulerFactory, TimeProvider time) : IJobScheduler
{
    public async Task<bool> EnqueueAsync(JobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        var data = new JobDataMap();
        foreach (var (key, value) in request.Data)
        {
            data[key] = value;
        }

        var job = JobBuilder.Create()
            .OfType(new JobType(request.JobType))
            .WithIdentity(request.Key, "edison")
            .UsingJobData(data)
            .RequestRecovery(request.RequestRecovery)
            .Build();
        var trigger = TriggerBuilder.Create(time)
            .WithIdentity(request.Key, "edison")
            .WithPriority((int)request.Priority)
            .StartNow();
        if (request.Priority != JobPriority.Interactive)
        {
            // Quartz takes due triggers by fire time and uses priority only to break ties, so a click scheduled
            // after a burst of chunks would wait for all of them; the group's limit keeps threads free instead.
            trigger = trigger.WithExecutionGroup(JobExecutionGroups.Bulk);
        }

        try
        {
            await scheduler.ScheduleJob(job, trigger.Build(), default, cancellationToken);
            return true;
        }
        catch (ObjectAlreadyExistsException)
        {
            return false;
        }
    }
}

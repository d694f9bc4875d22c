using Edison.Core.Jobs;
using Quartz;

namespace Edison.Worker.Scheduling;

internal sealed class QuartzJobQueue(ISchedulerFactory schedulerFactory) : IJobQueue
{
    public async Task<bool> EnqueueAsync(JobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        var jobKey = new JobKey(request.Key, "edison");
        var job = JobBuilder.Create(new JobType(request.JobType))
            .WithIdentity(jobKey)
            .UsingJobData(new JobDataMap((IDictionary<string, object?>)request.Data.ToDictionary(kv => kv.Key, kv => (object?)kv.Value)))
            .RequestRecovery(request.RequestRecovery)
            .Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(request.Key, "edison")
            .WithPriority((int)request.Priority)
            .StartNow()
            .WithSimpleSchedule(s => s.WithMisfireHandlingInstructionFireNow())
            .Build();
        try
        {
            await scheduler.ScheduleJob(job, trigger, cancellationToken);
            return true;
        }
        catch (ObjectAlreadyExistsException)
        {
            return false;
        }
    }
}

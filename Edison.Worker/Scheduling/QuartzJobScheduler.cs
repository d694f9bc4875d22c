using Edison.Core.Jobs;
using Quartz;

namespace Edison.Worker.Scheduling;

internal sealed class QuartzJobScheduler(ISchedulerFactory schedulerFactory, TimeProvider time) : IJobScheduler
{
    public async Task<bool> EnqueueAsync(JobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        var (job, trigger) = Build(request);
        try
        {
            await scheduler.ScheduleJob(job, trigger, default, cancellationToken);
            return true;
        }
        catch (ObjectAlreadyExistsException)
        {
            return false;
        }
    }

    /// <summary>
    /// Stores every job in one transaction under one lock of the clustered store: a phase's chunks scheduled one by one each
    /// waited for the trigger lock that the worker threads hold while acquiring. If one key already exists (a repair), the
    /// whole batch is refused and each is scheduled on its own, existing keys left alone.
    /// </summary>
    public async Task EnqueueManyAsync(IReadOnlyList<JobRequest> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0)
        {
            return;
        }

        var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        var batch = new Dictionary<IJobDetail, IReadOnlyCollection<ITrigger>>();
        foreach (var request in requests.DistinctBy(r => r.Key, StringComparer.Ordinal))
        {
            var (job, trigger) = Build(request);
            batch[job] = [trigger];
        }

        try
        {
            await scheduler.ScheduleJobs(batch, default, cancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            foreach (var request in requests)
            {
                await EnqueueAsync(request, cancellationToken);
            }
        }
    }

    private (IJobDetail Job, ITrigger Trigger) Build(JobRequest request)
    {
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

        return (job, trigger.Build());
    }
}

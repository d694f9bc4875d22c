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
            return;
        }
        catch (ObjectAlreadyExistsException)
        {
            // A repair: most of the phase's jobs are still pending. One read of the group's job keys, instead of one
            // refused attempt (each under the trigger lock) per pending job.
        }

        var existing = await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(Group), cancellationToken);
        var missing = batch.Where(b => !existing.Contains(b.Key.Key)).ToDictionary(b => b.Key, b => b.Value);
        try
        {
            await scheduler.ScheduleJobs(missing, default, cancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            // Another scheduler stored one of them meanwhile.
            foreach (var request in requests.Where(r => !existing.Contains(new JobKey(r.Key, Group))))
            {
                await EnqueueAsync(request, cancellationToken);
            }
        }
    }

    private const string Group = "edison";

    private (IJobDetail Job, ITrigger Trigger) Build(JobRequest request)
    {
        var data = new JobDataMap();
        foreach (var (key, value) in request.Data)
        {
            data[key] = value;
        }

        var job = JobBuilder.Create()
            .OfType(new JobType(request.JobType))
            .WithIdentity(request.Key, Group)
            .UsingJobData(data)
            .RequestRecovery(request.RequestRecovery)
            .Build();
        var trigger = TriggerBuilder.Create(time)
            .WithIdentity(request.Key, Group)
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

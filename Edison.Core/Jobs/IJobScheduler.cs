namespace Edison.Core.Jobs;

/// <summary>Schedules background work on the worker cluster. Enqueuing an existing key is a no-op.</summary>
public interface IJobScheduler
{
    /// <summary>Schedules the job to run now; returns false when a job with the same key is already pending.</summary>
    Task<bool> EnqueueAsync(JobRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Schedules many jobs to run now, each as <see cref="EnqueueAsync"/> would (an existing key is left alone). A scheduler
    /// that can store them in one step (one lock of a clustered job store instead of one per job) does.
    /// </summary>
    async Task EnqueueManyAsync(IReadOnlyList<JobRequest> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        foreach (var request in requests)
        {
            await EnqueueAsync(request, cancellationToken);
        }
    }
}

namespace Edison.Core.Jobs;

/// <summary>Schedules background work on the worker cluster. Enqueuing an existing key is a no-op.</summary>
public interface IJobScheduler
{
    /// <summary>Schedules the job to run now; returns false when a job with the same key is already pending.</summary>
    Task<bool> EnqueueAsync(JobRequest request, CancellationToken cancellationToken);
}

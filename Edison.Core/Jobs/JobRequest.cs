namespace Edison.Core.Jobs;

/// <summary>
/// A unit of background work, named by the worker's job type and keyed so that enqueuing it twice schedules it once.
/// Only string ids travel in <see cref="Data"/>; the job reads everything else from the database.
/// </summary>
public sealed record JobRequest(string JobType, string Key, IReadOnlyDictionary<string, string> Data, JobPriority Priority)
{
    /// <summary>Whether a worker that dies while running the job hands it to another worker.</summary>
    public bool RequestRecovery { get; init; } = true;
}

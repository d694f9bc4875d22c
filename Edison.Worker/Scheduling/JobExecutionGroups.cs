namespace Edison.Worker.Scheduling;

/// Quartz execution groups. Bulk work may use only part of a worker's threads, so a job a person is waiting
/// for always finds a free one instead of queuing behind chunks that were scheduled earlier.
public static class JobExecutionGroups
{
    public const string Bulk = "edison-bulk";
}

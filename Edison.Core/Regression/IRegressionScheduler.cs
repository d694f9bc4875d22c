namespace Edison.Core.Regression;

/// <summary>
/// The cron trigger of each experiment's scheduled regression runs in the clustered job store. The web app only schedules;
/// the workers fire the triggers.
/// </summary>
public interface IRegressionScheduler
{
    /// <summary>Why <paramref name="cron"/> cannot be used (not a cron expression, never fires, fires too often), or null.</summary>
    string? Validate(string cron);

    /// <summary>Creates or replaces the experiment's trigger.</summary>
    Task ScheduleAsync(Guid experimentId, string cron, CancellationToken cancellationToken);

    /// <summary>Removes the experiment's trigger and job; a no-op when there is none.</summary>
    Task UnscheduleAsync(Guid experimentId, CancellationToken cancellationToken);

    /// <summary>When the experiment's trigger fires next (UTC), or null when it has none.</summary>
    Task<DateTimeOffset?> NextRunAsync(Guid experimentId, CancellationToken cancellationToken);
}

namespace Edison.Core.Regression;

/// <summary>An experiment's schedule as the overview page shows it.</summary>
public sealed record RegressionSchedule(Guid ExperimentId, string Cron, string Description, string? WebhookUrl, bool HasWebhookSecret,
    DateTime UpdatedAt)
{
    /// <summary>The choice the form shows for this schedule.</summary>
    public ScheduleChoice Choice => ScheduleChoice.FromCron(Cron);
}

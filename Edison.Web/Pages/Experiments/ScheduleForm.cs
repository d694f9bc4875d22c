using Edison.Core.Regression;

namespace Edison.Web.Pages.Experiments;

/// The scheduled-runs form on the overview page.
public sealed class ScheduleForm
{
    public string Frequency { get; set; } = ScheduleChoice.Off;

    public TimeOnly? At { get; set; }

    public DayOfWeek? Day { get; set; }

    public string? CustomCron { get; set; }

    public string? WebhookUrl { get; set; }

    public bool NewSecret { get; set; }

    public ScheduleChoice ToChoice() => new(Frequency, At, Day, CustomCron);

    public static ScheduleForm From(RegressionSchedule? schedule)
    {
        var choice = ScheduleChoice.FromCron(schedule?.Cron);
        return new ScheduleForm
        {
            Frequency = choice.Frequency,
            At = choice.At ?? new TimeOnly(2, 0),
            Day = choice.Day ?? DayOfWeek.Monday,
            CustomCron = choice.CustomCron,
            WebhookUrl = schedule?.WebhookUrl,
        };
    }
}

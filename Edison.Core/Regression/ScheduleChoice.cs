using System.Globalization;

namespace Edison.Core.Regression;

/// <summary>
/// How often an experiment's production prompt is re-run, as chosen on its overview page: off, nightly at a time, weekly
/// on a day at a time, or a custom Quartz cron expression. Times are UTC.
/// </summary>
public sealed record ScheduleChoice(string Frequency, TimeOnly? At = null, DayOfWeek? Day = null, string? CustomCron = null)
{
    /// <summary>No scheduled runs.</summary>
    public const string Off = "off";

    /// <summary>Every day at <see cref="At"/>.</summary>
    public const string Nightly = "nightly";

    /// <summary>Every <see cref="Day"/> at <see cref="At"/>.</summary>
    public const string Weekly = "weekly";

    /// <summary>A Quartz cron expression of the user's own.</summary>
    public const string Custom = "custom";

    private static readonly string[] CronDays = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    /// <summary>The Quartz cron expression (seconds first) or the reason there is none, keyed by the form field at fault.</summary>
    public (string? Cron, string? Field, string? Error) ToCron() => Frequency switch
    {
        Nightly when At is { } at => (Invariant($"0 {at.Minute} {at.Hour} * * ?"), null, null),
        Weekly when At is { } at && Day is { } day => (Invariant($"0 {at.Minute} {at.Hour} ? * {CronDays[(int)day]}"), null, null),
        Nightly or Weekly when At is null => (null, "At", "Choose the time of day (UTC) the run starts."),
        Weekly => (null, "Day", "Choose the day of the week."),
        Custom when !string.IsNullOrWhiteSpace(CustomCron) => (CustomCron.Trim(), null, null),
        Custom => (null, "CustomCron", "Enter a cron expression, for example 0 30 2 ? * MON-FRI (02:30 UTC on weekdays)."),
        Off => (null, null, null),
        _ => (null, "Frequency", "Choose off, nightly, weekly or custom."),
    };

    /// <summary>The schedule in the user's words, e.g. "Every night at 02:00 UTC".</summary>
    public string Describe() => Frequency switch
    {
        Nightly => Invariant($"Every night at {At:HH\\:mm} UTC"),
        Weekly => Invariant($"Every {Day} at {At:HH\\:mm} UTC"),
        Custom => $"On the cron schedule {CustomCron?.Trim()} (UTC)",
        _ => "Off",
    };

    /// <summary>Reads a stored cron expression back into the choice that makes it, so the form shows what was chosen.</summary>
    public static ScheduleChoice FromCron(string? cron)
    {
        if (string.IsNullOrWhiteSpace(cron))
        {
            return new ScheduleChoice(Off);
        }

        var parts = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 6 && parts[0] == "0" && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minute)
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var hour) && minute < 60 && hour < 24)
        {
            var at = new TimeOnly(hour, minute);
            if (parts[3..] is ["*", "*", "?"])
            {
                return new ScheduleChoice(Nightly, at);
            }

            if (parts[3] == "?" && parts[4] == "*" && Array.IndexOf(CronDays, parts[5]) is var day and >= 0)
            {
                return new ScheduleChoice(Weekly, at, (DayOfWeek)day);
            }
        }

        return new ScheduleChoice(Custom, CustomCron: cron);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

using System.Globalization;

namespace Edison.Web.Pages.Experiments;

/// A next run time as a person says it: "Saturday 28 November 2026 at 02:00 UTC, in 3 hours 12 minutes".
public static class ScheduleWording
{
    public static string NextRun(DateTimeOffset next, DateTimeOffset now)
    {
        var at = next.ToUniversalTime().ToString("dddd d MMMM yyyy 'at' HH:mm 'UTC'", CultureInfo.InvariantCulture);
        return $"{at}, {In(next - now)}";
    }

    private static string In(TimeSpan wait)
    {
        if (wait < TimeSpan.FromMinutes(1))
        {
            return "in less than a minute";
        }

        var parts = new List<string>();
        if (wait.Days > 0)
        {
            parts.Add(Plural(wait.Days, "day"));
        }

        if (wait.Hours > 0)
        {
            parts.Add(Plural(wait.Hours, "hour"));
        }

        if (wait.Days == 0 && wait.Minutes > 0)
        {
            parts.Add(Plural(wait.Minutes, "minute"));
        }

        return "in " + string.Join(' ', parts);
    }

    private static string Plural(int n, string unit) => n.ToString(CultureInfo.InvariantCulture) + " " + unit + (n == 1 ? "" : "s");
}

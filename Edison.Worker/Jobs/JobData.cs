using System.Globalization;
using Quartz;

namespace Edison.Worker.Jobs;

internal static class JobData
{
    public static Guid GetGuid(this IJobExecutionContext context, string key) =>
        Guid.Parse(context.MergedJobDataMap.GetString(key) ?? throw new JobExecutionException($"Job data '{key}' is missing."));

    public static int GetInt(this IJobExecutionContext context, string key) =>
        int.Parse(context.MergedJobDataMap.GetString(key) ?? throw new JobExecutionException($"Job data '{key}' is missing."),
            CultureInfo.InvariantCulture);
}

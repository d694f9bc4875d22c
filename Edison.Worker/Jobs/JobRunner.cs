using System.Diagnostics;
using Edison.Worker.Telemetry;
using Quartz;

namespace Edison.Worker.Jobs;

/// Every job body runs through here: inside its span in the trace that scheduled it, timed, and with the
/// database-blip retry.
internal static class JobRunner
{
    public static async ValueTask RunAsync(IJobExecutionContext context, ILogger logger, Func<CancellationToken, Task> work,
        CancellationToken cancellationToken)
    {
        using var activity = JobTelemetry.Start(context);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await TransientRetry.RunAsync(context, logger, work, cancellationToken);
            JobTelemetry.Finished(context, Stopwatch.GetElapsedTime(started), null);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            JobTelemetry.Finished(context, Stopwatch.GetElapsedTime(started), ex);
            throw;
        }
    }
}

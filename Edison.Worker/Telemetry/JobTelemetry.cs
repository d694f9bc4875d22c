using System.Diagnostics;
using System.Diagnostics.Metrics;
using Edison.Core.Jobs;
using Edison.ServiceDefaults;
using Quartz;

namespace Edison.Worker.Telemetry;

/// The span and latency figures of one job execution. Quartz's own execute span starts a new trace for every firing
/// (it only links to the scheduler), so the job span takes the traceparent Quartz stored on the trigger as its parent:
/// a web request, the jobs it caused and their LLM calls then read as one trace in the dashboard.
internal static class JobTelemetry
{
    private static readonly ActivitySource Source = new(ResourceNames.JobTelemetrySource);
    private static readonly Meter Meter = new(ResourceNames.JobTelemetrySource);

    private static readonly Histogram<double> PickupDelay = Meter.CreateHistogram<double>("edison.jobs.pickup_delay", "s",
        "From the time a job was due to the time a worker started it.");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("edison.jobs.duration", "s",
        "How long a job ran.");

    private static readonly Counter<long> Failures = Meter.CreateCounter<long>("edison.jobs.failures", "{failure}",
        "Job executions that ended in an exception, by error.type.");

    public static Activity? Start(IJobExecutionContext context)
    {
        var name = JobName(context);
        var parent = ActivityContext.TryParse(context.Trigger.JobDataMap.GetString(SchedulerConstants.TraceParent),
            context.Trigger.JobDataMap.GetString(SchedulerConstants.TraceState), isRemote: true, out var scheduledFrom)
            ? scheduledFrom
            : default;
        // Quartz's execute span (current here) stays reachable from ours.
        ActivityLink[]? links = Activity.Current is { } firing ? [new ActivityLink(firing.Context)] : null;
        var activity = Source.StartActivity($"job {name}", ActivityKind.Consumer, parent, links: links);
        if (activity is not null)
        {
            activity.SetTag("edison.job.name", name);
            activity.SetTag("edison.job.key", context.JobDetail.Key.ToString());
            activity.SetTag("edison.job.attempt", context.RetryAttempt + context.RefireCount + 1);
            activity.SetTag("edison.job.recovering", context.Recovering);
            if (context.MergedJobDataMap.GetString(WorkerJobs.Keys.IterationId) is { } iterationId)
            {
                activity.SetTag("edison.iteration.id", iterationId);
            }
        }

        if (context.ScheduledFireTimeUtc is { } due)
        {
            PickupDelay.Record(Math.Max(0, (context.FireTimeUtc - due).TotalSeconds), new KeyValuePair<string, object?>("edison.job.name", name));
        }

        return activity;
    }

    public static void Finished(IJobExecutionContext context, TimeSpan elapsed, Exception? failure)
    {
        var name = new KeyValuePair<string, object?>("edison.job.name", JobName(context));
        Duration.Record(elapsed.TotalSeconds, name);
        if (failure is not null)
        {
            Failures.Add(1, name, new KeyValuePair<string, object?>("error.type", failure.GetType().FullName));
        }
    }

    /// "AdvanceIteration" for AdvanceIterationJob: the name a person reads in the dashboard.
    private static string JobName(IJobExecutionContext context)
    {
        var typeName = context.JobDetail.JobType.FullName;
        // An assembly-qualified name as the web schedules it ("Edison.Worker.Jobs.AdvanceIterationJob, Edison.Worker").
        var end = typeName.IndexOf(',', StringComparison.Ordinal) is var comma and >= 0 ? comma : typeName.Length;
        var start = typeName.LastIndexOf('.', end - 1) + 1;
        var name = typeName[start..end];
        return name.EndsWith("Job", StringComparison.Ordinal) ? name[..^3] : name;
    }
}

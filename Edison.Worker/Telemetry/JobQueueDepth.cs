using System.Diagnostics.Metrics;
using Edison.ServiceDefaults;
using Edison.Worker.Scheduling;
using Npgsql;

namespace Edison.Worker.Telemetry;

/// The job queue as the cluster sees it: triggers that are due and not yet taken by any worker. Read from Quartz's
/// tables when the metrics are collected, so every worker reports the same cluster-wide figure (chart it as a max).
internal sealed partial class JobQueueDepth(IMeterFactory meters, NpgsqlDataSource dataSource, TimeProvider time, ILogger<JobQueueDepth> logger)
    : IHostedService
{
    // Quartz stores fire times as UTC ticks; a trigger taken by a worker leaves WAITING for ACQUIRED or EXECUTING.
    private const string Sql = """
        SELECT count(*) FROM qrtz_triggers
        WHERE sched_name = @scheduler AND trigger_state = 'WAITING' AND next_fire_time <= @now
        """;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        meters.Create(ResourceNames.JobTelemetrySource).CreateObservableGauge("edison.jobs.queue.depth", Read, "{job}",
            "Jobs that are due and wait for a worker thread, across the cluster.");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Observable callbacks are synchronous; one indexed count per collection interval.
    private IEnumerable<Measurement<long>> Read()
    {
        try
        {
            using var connection = dataSource.OpenConnection();
            using var command = new NpgsqlCommand(Sql, connection) { CommandTimeout = 5 };
            command.Parameters.AddWithValue("scheduler", QuartzSetup.InstanceName);
            command.Parameters.AddWithValue("now", time.GetUtcNow().UtcTicks);
            return [new Measurement<long>(Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture))];
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            LogUnreadable(logger, ex);
            return [];
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The job queue depth could not be read from the Quartz tables")]
    private static partial void LogUnreadable(ILogger logger, Exception exception);
}

using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edison.AppHost.Infra;

/// Says on the console when a resource stops or never becomes healthy, with its last output lines: otherwise a
/// failed server only shows as dependents that wait, visible in the dashboard alone.
/// Started from BeforeStartEvent, not as a hosted service: the orchestrator's hosted service starts first and does
/// not return until every resource has started, which is exactly the wait this class must report on.
internal sealed partial class ResourceFailureReporter(
    ResourceNotificationService notifications,
    ResourceLoggerService resourceLogs,
    IHostApplicationLifetime lifetime,
    ILogger<ResourceFailureReporter> logger)
{
    private const int TailLength = 15;
    private static readonly TimeSpan HealthyWithin = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, LogTail> _tails = new();
    private readonly ConcurrentDictionary<string, string> _lastReported = new();
    private readonly ConcurrentDictionary<string, bool> _healthWatched = new();

    public static void Register(IDistributedApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ResourceFailureReporter>();
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            e.Services.GetRequiredService<ResourceFailureReporter>().Start();
            return Task.CompletedTask;
        });
    }

    private void Start() => _ = Task.Run(() => WatchAsync(lifetime.ApplicationStopping));

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                var name = update.Resource.Name;
                // Logs are kept per DCP resource id (the name plus a suffix), not per name.
                var id = update.ResourceId;
                if (_tails.TryAdd(id, new LogTail(TailLength)))
                {
                    _ = FollowLogsAsync(id, stoppingToken);
                }

                var state = update.Snapshot.State?.Text;
                if (state is null || stoppingToken.IsCancellationRequested)
                {
                    continue;
                }

                if (state == KnownResourceStates.Running && _healthWatched.TryAdd(name, true))
                {
                    _ = WarnIfNotHealthyAsync(name, id, stoppingToken);
                }

                var exitCode = update.Snapshot.ExitCode;
                var terminal = KnownResourceStates.TerminalStates.Contains(state);
                var failed = state == KnownResourceStates.FailedToStart || state == KnownResourceStates.RuntimeUnhealthy
                    || (terminal && exitCode is not null and not 0);
                if ((!failed && !(terminal && exitCode is 0)) || (_lastReported.TryGetValue(name, out var last) && last == state))
                {
                    continue;
                }

                _lastReported[name] = state;
                if (failed)
                {
                    var code = exitCode?.ToString(CultureInfo.InvariantCulture) ?? "none";
                    LogResourceFailed(logger, name, state, code, await TailAsync(id, stoppingToken));
                }
                else
                {
                    LogResourceFinished(logger, name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The app is stopping.
        }
    }

    private async Task WarnIfNotHealthyAsync(string name, string id, CancellationToken stoppingToken)
    {
        try
        {
            await notifications.WaitForResourceHealthyAsync(name, stoppingToken).WaitAsync(HealthyWithin, stoppingToken);
        }
        catch (TimeoutException) when (!stoppingToken.IsCancellationRequested)
        {
            LogResourceNotHealthy(logger, name, (int)HealthyWithin.TotalSeconds, await TailAsync(id, stoppingToken));
        }
        catch (Exception ex) when (ex is OperationCanceledException or DistributedApplicationException)
        {
            // Stopping, or the resource failed: the state report covers that.
        }
    }

    private async Task FollowLogsAsync(string id, CancellationToken stoppingToken)
    {
        var tail = _tails[id];
        try
        {
            await foreach (var batch in resourceLogs.WatchAsync(id).WithCancellation(stoppingToken))
            {
                foreach (var line in batch)
                {
                    tail.Add(line.Content);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The app is stopping.
        }
    }

    private async Task<string> TailAsync(string id, CancellationToken stoppingToken)
    {
        // The state change can overtake the process's last lines.
        await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
        return _tails.TryGetValue(id, out var tail) ? tail.ToString() : "    (no output)";
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Resource '{Resource}' is {State} (exit code {ExitCode}); whatever waits for it cannot start (Ctrl+C to stop). Its last output:\n{Tail}")]
    private static partial void LogResourceFailed(ILogger logger, string resource, string state, string exitCode, string tail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resource '{Resource}' finished (exit code 0).")]
    private static partial void LogResourceFinished(ILogger logger, string resource);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Resource '{Resource}' has run for {Seconds} s but is not healthy yet; whatever waits for it keeps waiting. Its last output:\n{Tail}")]
    private static partial void LogResourceNotHealthy(ILogger logger, string resource, int seconds, string tail);
}

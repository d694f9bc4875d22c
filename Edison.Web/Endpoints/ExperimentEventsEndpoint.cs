using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Edison.Core.Events;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;

namespace Edison.Web.Endpoints;

/// Relays an experiment's Redis events to the browser as Server-Sent Events. The event name is the signal;
/// the page re-fetches the partial that changed.
internal static partial class ExperimentEventsEndpoint
{
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapExperimentEvents(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/events/experiments/{experimentId:guid}", (Guid experimentId, IEventBus events, IHostApplicationLifetime lifetime,
                ILoggerFactory loggers, HttpContext context) =>
            TypedResults.ServerSentEvents(StreamAsync(experimentId, events, lifetime, loggers.CreateLogger(typeof(ExperimentEventsEndpoint)),
                context.RequestAborted)))
            .WithName("ExperimentEvents")
            .RequireProjectRole(ProjectRole.Viewer);
        return endpoints;
    }

    internal static async IAsyncEnumerable<SseItem<string>> StreamAsync(Guid experimentId, IEventBus events, IHostApplicationLifetime lifetime,
        ILogger logger, [EnumeratorCancellation] CancellationToken requestAborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, lifetime.ApplicationStopping);
        var token = linked.Token;
        var merged = Channel.CreateUnbounded<SseItem<string>>(new UnboundedChannelOptions { SingleReader = true });
        var pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in events.SubscribeAsync(experimentId, token))
                {
                    await merged.Writer.WriteAsync(new SseItem<string>(e.IterationId?.ToString() ?? "", e.Kind), token);
                }
            }
            catch (OperationCanceledException)
            {
                merged.Writer.TryComplete();
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
            {
                // Without Redis the stream stays open with pings only; the page's 5 s poll carries the updates.
                LogSubscribeFailed(logger, ex, experimentId);
            }
        }, CancellationToken.None);

        var pinger = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(PingInterval);
            try
            {
                while (await timer.WaitForNextTickAsync(token))
                {
                    await merged.Writer.WriteAsync(new SseItem<string>("", "ping"), token);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);

        // A first event tells the page the stream is live; later ones are signals and pings.
        yield return new SseItem<string>("connected", "ready");
        await using (token.Register(() => merged.Writer.TryComplete()))
        {
            await foreach (var item in merged.Reader.ReadAllAsync(CancellationToken.None))
            {
                yield return item;
            }
        }

        await linked.CancelAsync();
        await pump;
        await pinger;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live events for experiment {ExperimentId} are unavailable; the page falls back to polling")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception, Guid experimentId);
}

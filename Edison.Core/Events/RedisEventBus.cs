using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Edison.Core.Events;

/// Pub/sub on edison:experiment:{id}. Test isolation comes from the connection string's channelPrefix.
internal sealed partial class RedisEventBus(IConnectionMultiplexer redis, ILogger<RedisEventBus> logger) : IEventBus
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static RedisChannel ChannelFor(Guid experimentId) => RedisChannel.Literal($"edison:experiment:{experimentId}");

    public async Task PublishAsync(ExperimentEvent experimentEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(experimentEvent);
        // Events are signals that pages also poll for: with Redis down, waiting on a publish would only slow the
        // jobs and the click that raised them (5–6 s each), so a disconnected bus drops the event at once.
        if (!redis.IsConnected)
        {
            LogPublishSkipped(experimentEvent.ExperimentId);
            return;
        }

        try
        {
            var payload = JsonSerializer.Serialize(experimentEvent, Json);
            await redis.GetSubscriber().PublishAsync(ChannelFor(experimentEvent.ExperimentId), payload, CommandFlags.FireAndForget)
                .WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogPublishFailed(ex, experimentEvent.ExperimentId);
        }
    }

    public async IAsyncEnumerable<ExperimentEvent> SubscribeAsync(Guid experimentId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<ExperimentEvent>(new BoundedChannelOptions(256)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        void Handler(RedisChannel _, RedisValue message)
        {
            var parsed = JsonSerializer.Deserialize<ExperimentEvent>(message.ToString(), Json);
            if (parsed is not null)
            {
                channel.Writer.TryWrite(parsed);
            }
        }

        var subscriber = redis.GetSubscriber();
        var redisChannel = ChannelFor(experimentId);
        await subscriber.SubscribeAsync(redisChannel, Handler);
        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
        finally
        {
            await subscriber.UnsubscribeAsync(redisChannel, Handler);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped an event for experiment {ExperimentId}: Redis is not connected")]
    private partial void LogPublishSkipped(Guid experimentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped an event for experiment {ExperimentId}: Redis is unavailable")]
    private partial void LogPublishFailed(Exception exception, Guid experimentId);
}

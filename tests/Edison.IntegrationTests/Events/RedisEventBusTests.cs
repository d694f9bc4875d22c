using System.Diagnostics;
using System.Threading.Channels;
using Edison.Core.Events;
using Edison.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edison.IntegrationTests.Events;

/// <summary>Experiment events cross processes through Redis pub/sub, stay inside their channel prefix, and never fail a caller.</summary>
public sealed class RedisEventBusTests
{
    [Fact]
    public async Task PublishAsync_SubscriberOnAnotherConnection_ReceivesTheEventAndOtherPrefixesDoNot()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var prefix = TestEnvironment.NewRedisPrefix();
        using var publisherHost = await StartHostAsync(TestEnvironment.RedisConnectionStringWithPrefix(prefix), null, cts.Token);
        using var subscriberHost = await StartHostAsync(TestEnvironment.RedisConnectionStringWithPrefix(prefix), null, cts.Token);
        using var strangerHost = await StartHostAsync(TestEnvironment.RedisConnectionStringWithPrefix(TestEnvironment.NewRedisPrefix()), null, cts.Token);
        var experimentId = Guid.CreateVersion7();
        var sent = new ExperimentEvent(experimentId, Guid.CreateVersion7(), ExperimentEvent.Progress, "executing", 3, 10);
        using var listening = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var received = Listen(subscriberHost, experimentId, listening.Token);
        var overheard = Listen(strangerHost, experimentId, listening.Token);
        var publisher = publisherHost.Services.GetRequiredService<IEventBus>();

        // Subscribing completes asynchronously inside the enumerator, so publish until the subscriber has heard one.
        ExperimentEvent? first = null;
        while (first is null)
        {
            await publisher.PublishAsync(sent, cts.Token);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
            wait.CancelAfter(TimeSpan.FromMilliseconds(250));
            try
            {
                first = await received.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!cts.IsCancellationRequested)
            {
            }
        }

        Assert.Equal(sent, first);
        // Give a wrongly unprefixed delivery the same time to arrive that the real one needed, and more.
        await Task.Delay(TimeSpan.FromMilliseconds(500), cts.Token);
        Assert.False(overheard.TryRead(out var stray), $"A subscriber under another channel prefix heard {stray}.");
        await listening.CancelAsync();
    }

    [Theory]
    [InlineData("")]
    [InlineData(",abortConnect=false")]
    public async Task PublishAsync_RedisUnreachable_CompletesWithoutThrowingAndLogsTheDrop(string options)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var logs = new LogCollector();
        using var host = await StartHostAsync($"127.0.0.1:{FreePort.Next()}{options}", logs, cts.Token);
        var bus = host.Services.GetRequiredService<IEventBus>();
        var stopwatch = Stopwatch.StartNew();

        var publish = bus.PublishAsync(new ExperimentEvent(Guid.CreateVersion7(), null, ExperimentEvent.StatusChanged, "pending", 0, 0), cts.Token);
        await publish;

        Assert.True(publish.IsCompletedSuccessfully);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"Publishing to a dead Redis took {stopwatch.Elapsed}.");
        Assert.Contains(logs.Entries, l => l.Level == LogLevel.Warning && l.Message.Contains("Dropped an event", StringComparison.Ordinal));
    }

    private static async Task<IHost> StartHostAsync(string redisConnectionString, LogCollector? logs, CancellationToken cancellationToken)
    {
        // The database is never opened by these tests; the server's own connection string satisfies registration.
        var host = EdisonTestHost.CreateBuilder(TestEnvironment.DatabaseConnectionString, redisConnectionString, logs: logs).Build();
        await host.StartAsync(cancellationToken);
        return host;
    }

    private static ChannelReader<ExperimentEvent> Listen(IHost host, Guid experimentId, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<ExperimentEvent>();
        var bus = host.Services.GetRequiredService<IEventBus>();
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in bus.SubscribeAsync(experimentId, cancellationToken))
                {
                    await channel.Writer.WriteAsync(item, cancellationToken);
                }
            }
            catch (OperationCanceledException)
            {
                // The test is done listening.
            }
        }, CancellationToken.None);
        return channel.Reader;
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Edison.Core.Llm;

/// <summary>
/// One keyed call at a time: two callers with the same call_key (a chunk recovered while its first run is still alive, a
/// sweeper racing a chunk) would both miss the recorded-call check and both pay. Inside a process a semaphore per key
/// queues them; across processes a Redis lease (<c>SET NX PX</c>, renewed while held) does. The second caller then finds
/// the first one's recorded row and reuses it. Redis is optional: when it is down or fails, only the in-process guard
/// holds, and the unique call_key still keeps one row per logical call.
/// </summary>
internal sealed partial class CallKeyFlight(IConnectionMultiplexer redis, IOptions<RedisKeyOptions> keys, ILogger<CallKeyFlight> logger)
{
    /// <summary>How long a lease outlives a holder that died without releasing it; a live holder renews it.</summary>
    public static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RenewEvery = LeaseTtl / 3;
    private static readonly TimeSpan MaxPoll = TimeSpan.FromMilliseconds(200);
    private readonly ConcurrentDictionary<string, Gate> _gates = new(StringComparer.Ordinal);

    /// <summary>Waits until no other caller, here or in another process, is making the call with this key.</summary>
    public async Task<IAsyncDisposable> EnterAsync(string callKey, CancellationToken cancellationToken)
    {
        var gate = Acquire(callKey);
        try
        {
            await gate.Semaphore.WaitAsync(cancellationToken);
        }
        catch
        {
            Release(callKey, gate, entered: false);
            throw;
        }

        try
        {
            var lease = await TakeLeaseAsync(callKey, cancellationToken);
            return new Flight(this, callKey, gate, lease);
        }
        catch
        {
            Release(callKey, gate, entered: true);
            throw;
        }
    }

    private Gate Acquire(string callKey)
    {
        while (true)
        {
            var gate = _gates.GetOrAdd(callKey, _ => new Gate());
            lock (gate)
            {
                // A gate removed by its last user is dead; take the fresh one instead.
                if (!gate.Removed)
                {
                    gate.Users++;
                    return gate;
                }
            }
        }
    }

    private void Release(string callKey, Gate gate, bool entered)
    {
        if (entered)
        {
            gate.Semaphore.Release();
        }

        lock (gate)
        {
            if (--gate.Users == 0)
            {
                gate.Removed = true;
                _gates.TryRemove(new KeyValuePair<string, Gate>(callKey, gate));
                gate.Dispose();
            }
        }
    }

    private async Task<Lease?> TakeLeaseAsync(string callKey, CancellationToken cancellationToken)
    {
        var key = (RedisKey)$"{keys.Value.KeyPrefix}llm:flight:{callKey}";
        var token = (RedisValue)Guid.NewGuid().ToString("N");
        var poll = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            // A disconnected multiplexer would queue the command until its timeout: go on unguarded across processes.
            if (!redis.IsConnected)
            {
                return null;
            }

            try
            {
                if (await redis.GetDatabase().LockTakeAsync(key, token, LeaseTtl).WaitAsync(cancellationToken))
                {
                    return new Lease(redis, key, token, this);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogLeaseError(ex, "take");
                return null;
            }

            // Another process is making this call: wait for it to record the answer and let go.
            await Task.Delay(poll, cancellationToken);
            poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, MaxPoll.Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call lease {Operation} failed in Redis; the call is guarded in this process only")]
    private partial void LogLeaseError(Exception exception, string operation);

    private sealed class Gate : IDisposable
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public void Dispose() => Semaphore.Dispose();

        public int Users { get; set; }

        public bool Removed { get; set; }
    }

    /// A held Redis lease, renewed in the background until released.
    private sealed class Lease : IAsyncDisposable
    {
        private readonly IConnectionMultiplexer _redis;
        private readonly RedisKey _key;
        private readonly RedisValue _token;
        private readonly CallKeyFlight _owner;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewing;

        public Lease(IConnectionMultiplexer redis, RedisKey key, RedisValue token, CallKeyFlight owner)
        {
            _redis = redis;
            _key = key;
            _token = token;
            _owner = owner;
            _renewing = RenewAsync();
        }

        private async Task RenewAsync()
        {
            try
            {
                using var timer = new PeriodicTimer(RenewEvery);
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    await _redis.GetDatabase().LockExtendAsync(_key, _token, LeaseTtl).WaitAsync(_stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // Released.
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                _owner.LogLeaseError(ex, "renew");
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _renewing;
            _stop.Dispose();
            try
            {
                if (_redis.IsConnected)
                {
                    await _redis.GetDatabase().LockReleaseAsync(_key, _token);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // It expires on its own.
                _owner.LogLeaseError(ex, "release");
            }
        }
    }

    private sealed class Flight(CallKeyFlight owner, string callKey, Gate gate, Lease? lease) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                if (lease is not null)
                {
                    await lease.DisposeAsync();
                }
            }
            finally
            {
                owner.Release(callKey, gate, entered: true);
            }
        }
    }
}

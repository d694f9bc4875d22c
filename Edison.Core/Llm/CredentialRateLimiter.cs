using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Edison.Core.Llm;

/// <summary>
/// Requests per window per credential, shared by every process through one sliding log in Redis. Without Redis each
/// process keeps its own log at (limit ÷ live workers): slower than allowed, never faster.
/// </summary>
internal sealed partial class CredentialRateLimiter(IConnectionMultiplexer redis, IOptions<RedisKeyOptions> keys, IOptions<LlmOptions> options,
    LiveWorkerCount workers, LocalRateLog local, TimeProvider time, ILogger<CredentialRateLimiter> logger)
{
    // Check and add in one step, on Redis's clock, so concurrent processes can never both take the last slot.
    private const string SlidingLogScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local window = tonumber(ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
        if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
            redis.call('ZADD', KEYS[1], now, ARGV[3])
            redis.call('PEXPIRE', KEYS[1], window)
            return 0
        end
        local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        return math.max(1, tonumber(oldest[2]) + window - now)
        """;

    private const string RestampScript = """
        local t = redis.call('TIME')
        redis.call('ZADD', KEYS[1], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), ARGV[2])
        redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
        return 0
        """;

    private int _degraded;

    /// <summary>
    /// Waits (cancellably) until the credential may send one more request; dispose the permit when the attempt has ended.
    /// </summary>
    public async Task<RatePermit> AcquireAsync(Guid credentialId, CredentialLimits limits, CancellationToken cancellationToken)
    {
        if (limits.RequestsPerMinute is not { } limit)
        {
            return RatePermit.None;
        }

        // The provider counts on its own clock, a network hop away: a small guard keeps requests on the window's edge
        // from landing in the same window as the provider sees it.
        var window = options.Value.RateWindow + TimeSpan.FromMilliseconds(Math.Min(250, options.Value.RateWindow.TotalMilliseconds / 50));
        var entry = Guid.NewGuid();
        while (true)
        {
            var (wait, shared) = await TryAcquireAsync(credentialId, entry, limit, window, cancellationToken);
            if (wait <= TimeSpan.Zero)
            {
                return new RatePermit(shared
                    ? () => RestampSharedAsync(credentialId, entry, window)
                    : () =>
                    {
                        local.Restamp(credentialId, entry, time.GetUtcNow());
                        return Task.CompletedTask;
                    });
            }

            // Waiters woken by the same expiry would otherwise all race for one slot at the same instant.
            await Task.Delay(wait + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 15)), time, cancellationToken);
        }
    }

    private async Task<(TimeSpan Wait, bool Shared)> TryAcquireAsync(Guid credentialId, Guid entry, int limit, TimeSpan window,
        CancellationToken cancellationToken)
    {
        if (redis.IsConnected)
        {
            try
            {
                var result = await redis.GetDatabase().ScriptEvaluateAsync(SlidingLogScript, [Key(credentialId)],
                    [(long)window.TotalMilliseconds, limit, entry.ToString("N")]).WaitAsync(cancellationToken);
                if (Interlocked.Exchange(ref _degraded, 0) == 1)
                {
                    LogRedisBack();
                }

                return (TimeSpan.FromMilliseconds((long)result), true);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogRedisFailed(ex);
            }
        }

        var live = await workers.GetAsync(cancellationToken);
        var share = Math.Max(1, limit / live);
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            LogFallback(limit, share, live);
        }

        return (local.TryAcquire(credentialId, entry, share, window, time.GetUtcNow()), false);
    }

    private async Task RestampSharedAsync(Guid credentialId, Guid entry, TimeSpan window)
    {
        if (!redis.IsConnected)
        {
            return;
        }

        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(RestampScript, [Key(credentialId)],
                [(long)window.TotalMilliseconds, entry.ToString("N")]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogRedisFailed(ex);
        }
    }

    private RedisKey Key(Guid credentialId) => $"{keys.Value.KeyPrefix}llm:rate:{credentialId:N}:requests";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unreachable: provider rate limits fall back to a per-process limit of {Share} per window (limit {Limit} ÷ {Workers} live workers)")]
    private partial void LogFallback(int limit, int share, int workers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The distributed rate limiter could not reach Redis")]
    private partial void LogRedisFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis is reachable again: provider rate limits are shared across workers")]
    private partial void LogRedisBack();
}

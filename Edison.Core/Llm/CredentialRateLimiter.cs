using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Edison.Core.Llm;

/// <summary>
/// Requests and estimated input tokens per window per credential, each shared by every process through one sliding log in
/// Redis. Without Redis each process keeps its own logs at (limit ÷ live workers): slower than allowed, never faster.
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

    // The same sliding log weighted by tokens: members are "entry:tokens". A request larger than the whole limit goes alone.
    private const string TokenLogScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local window = tonumber(ARGV[1])
        local limit = tonumber(ARGV[2])
        local weight = tonumber(ARGV[3])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
        local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
        local used = 0
        for i = 1, #entries, 2 do
            used = used + tonumber(string.match(entries[i], ':(%d+)$'))
        end
        if #entries == 0 or used + weight <= limit then
            redis.call('ZADD', KEYS[1], now, ARGV[4] .. ':' .. ARGV[3])
            redis.call('PEXPIRE', KEYS[1], window)
            return 0
        end
        local freed = 0
        for i = 1, #entries, 2 do
            freed = freed + tonumber(string.match(entries[i], ':(%d+)$'))
            if used - freed + weight <= limit then
                return math.max(1, tonumber(entries[i + 1]) + window - now)
            end
        end
        return math.max(1, tonumber(entries[#entries]) + window - now)
        """;

    private readonly LocalRateLog _localTokens = new();
    private int _degraded;

    /// Whether the last limit check ran on the per-process fallback because Redis was unreachable.
    public bool IsFallingBack => Volatile.Read(ref _degraded) == 1;

    /// <summary>
    /// Waits (cancellably) until the credential may send one more request; dispose the permit when the attempt has ended.
    /// </summary>
    public Task<RatePermit> AcquireAsync(Guid credentialId, CredentialLimits limits, CancellationToken cancellationToken) =>
        AcquireAsync(credentialId, limits, 0, cancellationToken);

    /// <summary>
    /// Waits (cancellably) until the credential's tokens-per-minute budget has room for <paramref name="estimatedTokens"/>
    /// and it may send one more request; dispose the permit when the attempt has ended.
    /// </summary>
    public async Task<RatePermit> AcquireAsync(Guid credentialId, CredentialLimits limits, int estimatedTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var tokens = limits.TokensPerMinute is { } tokenLimit && estimatedTokens > 0
            ? await AcquireTokensAsync(credentialId, tokenLimit, estimatedTokens, cancellationToken)
            : null;
        var requests = limits.RequestsPerMinute is { } limit ? await AcquireRequestAsync(credentialId, limit, cancellationToken) : null;
        return (tokens, requests) switch
        {
            (null, null) => RatePermit.None,
            (null, { } r) => r,
            ({ } t, null) => t,
            ({ } t, { } r) => new RatePermit(async () =>
            {
                await t.DisposeAsync();
                await r.DisposeAsync();
            }),
        };
    }

    private async Task<RatePermit> AcquireRequestAsync(Guid credentialId, int limit, CancellationToken cancellationToken)
    {
        var window = GuardedWindow();
        var entry = Guid.NewGuid();
        while (true)
        {
            var (wait, shared) = await TryAcquireAsync(credentialId, entry, limit, window, cancellationToken);
            if (wait <= TimeSpan.Zero)
            {
                return new RatePermit(shared
                    ? () => RestampSharedAsync(Key(credentialId), entry.ToString("N"), window)
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

    // The provider counts on its own clock, a network hop away: a small guard keeps requests on the window's edge
    // from landing in the same window as the provider sees it.
    private TimeSpan GuardedWindow() =>
        options.Value.RateWindow + TimeSpan.FromMilliseconds(Math.Min(250, options.Value.RateWindow.TotalMilliseconds / 50));

    // Like a request's entry, the tokens' entry is moved to the end of the attempt: the provider counts them on arrival.
    private async Task<RatePermit> AcquireTokensAsync(Guid credentialId, int limit, int tokens, CancellationToken cancellationToken)
    {
        var window = GuardedWindow();
        var entry = Guid.NewGuid().ToString("N");
        while (true)
        {
            var (wait, shared) = await TryAcquireTokensAsync(credentialId, entry, limit, tokens, window, cancellationToken);
            if (wait <= TimeSpan.Zero)
            {
                return new RatePermit(shared
                    ? () => RestampSharedAsync(TokenKey(credentialId), $"{entry}:{tokens}", window)
                    : () =>
                    {
                        _localTokens.Restamp(credentialId, Guid.ParseExact(entry, "N"), time.GetUtcNow());
                        return Task.CompletedTask;
                    });
            }

            await Task.Delay(wait + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 15)), time, cancellationToken);
        }
    }

    private async Task<(TimeSpan Wait, bool Shared)> TryAcquireTokensAsync(Guid credentialId, string entry, int limit, int tokens, TimeSpan window,
        CancellationToken cancellationToken)
    {
        if (redis.IsConnected)
        {
            try
            {
                var result = await redis.GetDatabase().ScriptEvaluateAsync(TokenLogScript, [TokenKey(credentialId)],
                    [(long)window.TotalMilliseconds, limit, tokens, entry]).WaitAsync(cancellationToken);
                return (TimeSpan.FromMilliseconds((long)result), true);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogRedisFailed(ex);
            }
        }

        var live = await workers.GetAsync(cancellationToken);
        return (_localTokens.TryAcquire(credentialId, Guid.ParseExact(entry, "N"), Math.Max(1, limit / live), window, time.GetUtcNow(), tokens),
            false);
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

    private async Task RestampSharedAsync(RedisKey key, string member, TimeSpan window)
    {
        if (!redis.IsConnected)
        {
            return;
        }

        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(RestampScript, [key], [(long)window.TotalMilliseconds, member]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogRedisFailed(ex);
        }
    }

    private RedisKey Key(Guid credentialId) => $"{keys.Value.KeyPrefix}llm:rate:{credentialId:N}:requests";

    private RedisKey TokenKey(Guid credentialId) => $"{keys.Value.KeyPrefix}llm:rate:{credentialId:N}:tokens";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unreachable: provider rate limits fall back to a per-process limit of {Share} per window (limit {Limit} ÷ {Workers} live workers)")]
    private partial void LogFallback(int limit, int share, int workers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The distributed rate limiter could not reach Redis")]
    private partial void LogRedisFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis is reachable again: provider rate limits are shared across workers")]
    private partial void LogRedisBack();
}

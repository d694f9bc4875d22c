using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Edison.Core.Llm;

/// The Redis response cache. Redis is optional: when it is down or fails, a lookup is a miss and a store is skipped.
internal sealed partial class ResponseCache(IConnectionMultiplexer redis, IOptions<RedisKeyOptions> keys, IOptions<LlmOptions> options,
    ILogger<ResponseCache> logger)
{
    public async Task<CachedResponse?> GetAsync(string hash, CancellationToken cancellationToken) =>
        (await GetManyAsync([hash], cancellationToken))[0];

    /// The cached answers of many keys in one round trip (MGET), null where missing; all null when Redis is down.
    public async Task<CachedResponse?[]> GetManyAsync(IReadOnlyList<string> hashes, CancellationToken cancellationToken)
    {
        var found = new CachedResponse?[hashes.Count];
        // A disconnected multiplexer queues commands until its timeout; a miss now is cheaper than a wait.
        if (hashes.Count == 0 || !redis.IsConnected)
        {
            return found;
        }

        try
        {
            var values = await redis.GetDatabase().StringGetAsync(hashes.Select(Key).ToArray()).WaitAsync(cancellationToken);
            for (var i = 0; i < values.Length; i++)
            {
                found[i] = values[i].IsNullOrEmpty ? null : JsonSerializer.Deserialize<CachedResponse>(values[i].ToString());
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or JsonException)
        {
            LogCacheError(ex, "read");
            return new CachedResponse?[hashes.Count];
        }

        return found;
    }

    public async Task SetAsync(string hash, CachedResponse response, CancellationToken cancellationToken)
    {
        if (!redis.IsConnected)
        {
            return;
        }

        try
        {
            await redis.GetDatabase().StringSetAsync(Key(hash), JsonSerializer.Serialize(response), options.Value.CacheTtl)
                .WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogCacheError(ex, "write");
        }
    }

    private RedisKey Key(string hash) => $"{keys.Value.KeyPrefix}llm:cache:{hash}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Response cache {Operation} failed; treated as a miss")]
    private partial void LogCacheError(Exception exception, string operation);
}

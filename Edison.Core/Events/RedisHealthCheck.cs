using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Edison.Core.Events;

/// Redis carries only signals and a cache, so its loss degrades Edison instead of taking it down.
internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            return HealthCheckResult.Healthy($"PING {latency.TotalMilliseconds:F0} ms");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return HealthCheckResult.Degraded("Redis is unreachable: live updates fall back to polling and the response cache is off.", ex);
        }
    }
}

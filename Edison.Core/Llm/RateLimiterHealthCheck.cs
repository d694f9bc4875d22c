using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Edison.Core.Llm;

/// The status line for provider rate limits: shared through Redis normally, per process (limit ÷ live workers) without it.
internal sealed class RateLimiterHealthCheck(CredentialRateLimiter limiter) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(limiter.IsFallingBack
            ? HealthCheckResult.Degraded("Provider rate limits are enforced per process (each credential's limit ÷ live workers) until Redis is back.")
            : HealthCheckResult.Healthy("Provider rate limits are shared by every process through Redis."));
}

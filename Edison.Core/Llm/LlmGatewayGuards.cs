namespace Edison.Core.Llm;

/// What stands between the gateway and a provider: the response cache, the credential's quota, its rate limiter and its concurrency cap.
internal sealed record LlmGatewayGuards(ResponseCache Cache, CredentialLimitStore Limits, CredentialRateLimiter RateLimiter,
    CredentialConcurrency Concurrency);

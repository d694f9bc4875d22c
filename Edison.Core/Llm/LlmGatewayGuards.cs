namespace Edison.Core.Llm;

/// What stands between the gateway and a provider: the response cache, the credential's quota, its rate limiter, its
/// concurrency cap and the token estimate its tokens-per-minute limit is paced by.
internal sealed record LlmGatewayGuards(ResponseCache Cache, CredentialLimitStore Limits, CredentialRateLimiter RateLimiter,
    CredentialConcurrency Concurrency, ITokenEstimator Tokens);

namespace Edison.Core.Llm;

/// What stands between the gateway and a provider: the response cache, the credential's quota, its rate limiter, its
/// concurrency cap, the token estimate its tokens-per-minute limit is paced by, and the one-at-a-time guard of keyed calls.
internal sealed record LlmGatewayGuards(ResponseCache Cache, CredentialLimitStore Limits, CredentialRateLimiter RateLimiter,
    CredentialConcurrency Concurrency, ITokenEstimator Tokens, CallKeyFlight Flight);

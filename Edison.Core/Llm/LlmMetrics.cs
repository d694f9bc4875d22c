using System.Diagnostics.Metrics;

namespace Edison.Core.Llm;

/// <summary>
/// Edison's LLM metrics on the "Edison" meter (which ServiceDefaults exports): logical calls by purpose and outcome,
/// tokens, cost in USD, failures by error class and cache lookups with their hits, so a dashboard can show the cache hit rate. The gateway calls
/// <see cref="Record"/> once per logical call, after its llm_calls row is written.
/// </summary>
public static class LlmMetrics
{
    private static readonly Meter Meter = new(LlmTelemetry.SourceName);
    private static readonly Counter<long> Calls = Meter.CreateCounter<long>("edison.llm.calls", "{call}", "Logical LLM calls.");
    private static readonly Counter<long> Tokens = Meter.CreateCounter<long>("edison.llm.tokens", "{token}", "Input and output tokens.");
    private static readonly Counter<double> Cost = Meter.CreateCounter<double>("edison.llm.cost", "USD", "Cost of succeeded calls.");
    private static readonly Counter<long> CacheLookups = Meter.CreateCounter<long>("edison.llm.cache.lookups", "{lookup}", "Response cache lookups.");
    private static readonly Counter<long> CacheHits = Meter.CreateCounter<long>("edison.llm.cache.hits", "{hit}", "Response cache hits.");
    private static readonly Counter<long> Errors = Meter.CreateCounter<long>("edison.llm.errors", "{error}", "Failed logical calls by error.type.");

    /// <summary>Records one logical call.</summary>
    public static void Record(string model, string purpose, bool succeeded, bool cacheHit, long inputTokens, long outputTokens, decimal costUsd,
        string? errorClass)
    {
        var modelTag = new KeyValuePair<string, object?>("gen_ai.request.model", model);
        var purposeTag = new KeyValuePair<string, object?>("edison.llm.purpose", purpose);
        Calls.Add(1, modelTag, purposeTag, new("edison.llm.outcome", succeeded ? "succeeded" : "failed"), new("error.type", errorClass));
        Tokens.Add(inputTokens, modelTag, new("gen_ai.token.type", "input"));
        Tokens.Add(outputTokens, modelTag, new("gen_ai.token.type", "output"));
        Cost.Add((double)costUsd, modelTag, purposeTag);
        CacheLookups.Add(1, modelTag);
        if (cacheHit)
        {
            CacheHits.Add(1, modelTag);
        }

        if (!succeeded)
        {
            Errors.Add(1, modelTag, purposeTag, new("error.type", errorClass ?? "unknown"));
        }
    }
}

using System.Diagnostics;
using Edison.Core.Security;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edison.Core.Llm;

/// <summary>
/// Every provider call goes through here: reuse of recorded loop calls, the Redis response cache, the per-credential
/// rate limit and concurrency cap, Edison's single retry policy, usage and cost recorded as one llm_calls row per
/// logical call, and failures returned as values.
/// </summary>
public sealed partial class LlmGateway
{
    private readonly IChatClientFactory _factory;
    private readonly CredentialStore _credentials;
    private readonly LlmCallStore _calls;
    private readonly PriceTable _prices;
    private readonly LlmGatewayGuards _guards;
    private readonly TimeProvider _time;
    private readonly IOptions<LlmOptions> _options;
    private readonly ILogger<LlmGateway> _logger;

    internal LlmGateway(IChatClientFactory factory, CredentialStore credentials, LlmCallStore calls, PriceTable prices,
        LlmGatewayGuards guards, TimeProvider time, IOptions<LlmOptions> options, ILogger<LlmGateway> logger)
    {
        _factory = factory;
        _credentials = credentials;
        _calls = calls;
        _prices = prices;
        _guards = guards;
        _time = time;
        _options = options;
        _logger = logger;
    }

    /// <summary>Sends the messages and returns the response or a stored failure. Throws only when cancelled.</summary>
    [SystemOperation("The gateway calls models for services that have already checked who acts, and for the Worker's jobs; it records calls, not a person's change.")]
    public Task<LlmResult> CompleteAsync(LlmCallSpec spec, IList<ChatMessage> messages, ChatOptions? options,
        CancellationToken cancellationToken) =>
        CallAsync(spec, messages, options, (client, ct) => client.GetResponseAsync(messages, options, ct), () => false, null, cancellationToken);

    /// <summary>
    /// For a chunk's keyed calls, answers every one that needs no provider: a call already recorded under its call_key (a
    /// re-run chunk) is reused and a cache hit is recorded, all in one PostgreSQL query, one Redis round trip and one
    /// insert for the batch instead of a few round trips per call. Two workers racing on one key are safe without the
    /// call lease: a hit costs nothing, and the key's unique row keeps one row per logical call. The others come back with
    /// the spec to make the call with.
    /// </summary>
    [SystemOperation("The gateway answers chunk calls for the Worker's jobs, which have already checked who acts; it records calls, not a person's change.")]
    public async Task<LlmPreResolved[]> ResolveWithoutProviderAsync(IReadOnlyList<LlmRequest> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var answers = requests.Select(r => new LlmPreResolved(null, r.Spec)).ToArray();
        var keyed = Enumerable.Range(0, requests.Count).Where(i => requests[i].Spec.CallKey is not null)
            .DistinctBy(i => requests[i].Spec.CallKey, StringComparer.Ordinal).ToList();
        var recorded = await _calls.FindSucceededAsync(keyed.Select(i => requests[i].Spec.CallKey!).ToList(), cancellationToken);
        var lookups = new List<(int Index, string CacheKey)>();
        foreach (var i in keyed)
        {
            if (recorded.TryGetValue(requests[i].Spec.CallKey!, out var reused))
            {
                answers[i] = answers[i] with { Result = reused };
            }
            else if (!requests[i].Spec.BypassCache)
            {
                lookups.Add((i, ResponseCacheKey.Compute(requests[i].Spec, requests[i].Messages, requests[i].Options)));
            }
        }

        var cached = await _guards.Cache.GetManyAsync(lookups.Select(l => l.CacheKey).ToList(), cancellationToken);
        var hits = new List<(int Index, LlmCallRecord Record)>();
        var providers = new Dictionary<Guid, string?>();
        for (var n = 0; n < lookups.Count; n++)
        {
            var i = lookups[n].Index;
            var spec = requests[i].Spec;
            if (cached[n] is not { } hit)
            {
                answers[i] = answers[i] with { CallSpec = spec with { BypassCache = true } };
                continue;
            }

            // A disabled or missing credential is the single call's to report, as a failure row of its own.
            if (!providers.TryGetValue(spec.CredentialId, out var provider))
            {
                provider = await ProviderOfUsableCredentialAsync(spec.CredentialId, cancellationToken);
                providers[spec.CredentialId] = provider;
            }

            if (provider is not null)
            {
                var now = _time.GetUtcNow();
                hits.Add((i, new LlmCallRecord(Persistence.Ids.New(), spec, provider, "succeeded", 0, 0, 0, 0, 0, 0m, 0, hit.FinishReason, hit.Text,
                    null, null, now, now) { CacheHit = true }));
            }
        }

        var written = await _calls.RecordCacheHitsAsync(hits.Select(h => h.Record).ToList(), CancellationToken.None);
        foreach (var (i, record) in hits)
        {
            if (!written.TryGetValue(record.Spec.CallKey!, out var id))
            {
                // Another worker recorded this key first: the single call reuses its row.
                continue;
            }

            using var activity = LlmTelemetry.StartCall(record.Spec);
            activity?.SetTag("gen_ai.provider.name", record.Provider);
            answers[i] = answers[i] with { Result = CacheHitResult(record, id, activity) };
        }

        return answers;
    }

    private async Task<string?> ProviderOfUsableCredentialAsync(Guid credentialId, CancellationToken cancellationToken)
    {
        try
        {
            return (await _credentials.GetAsync(credentialId, cancellationToken)).Provider;
        }
        catch (Exception ex) when (ex is LlmCallException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Streams the answer: <paramref name="onText"/> gets each piece of text as it arrives (a cached or recorded answer
    /// arrives as one piece), and the whole call is recorded like <see cref="CompleteAsync"/>, with the time to the first
    /// text. A failure before any text is retried like any call; once text has been shown it is not, since the reader
    /// has already seen part of the answer.
    /// </summary>
    public async Task<LlmResult> StreamAsync(LlmCallSpec spec, IList<ChatMessage> messages, ChatOptions? options,
        Func<string, CancellationToken, ValueTask> onText, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onText);
        var stopwatch = Stopwatch.StartNew();
        var firstTokenMs = default(int?);
        var result = await CallAsync(spec, messages, options, async (client, ct) =>
        {
            var updates = new List<ChatResponseUpdate>();
            await foreach (var update in client.GetStreamingResponseAsync(messages, options, ct))
            {
                updates.Add(update);
                if (!string.IsNullOrEmpty(update.Text))
                {
                    firstTokenMs ??= (int)stopwatch.ElapsedMilliseconds;
                    await onText(update.Text, ct);
                }
            }

            return updates.ToChatResponse();
        }, () => firstTokenMs is not null, () => firstTokenMs, cancellationToken);
        if (firstTokenMs is null && result.Succeeded)
        {
            // Answered from the cache or a recorded call: the whole text at once.
            await onText(result.Text, cancellationToken);
        }

        return result;
    }

    private async Task<LlmResult> CallAsync(LlmCallSpec spec, IList<ChatMessage> messages, ChatOptions? options,
        Func<IChatClient, CancellationToken, Task<ChatResponse>> send, Func<bool> textShown, Func<int?>? firstTokenMs,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(messages);
        if (spec.CallKey is null)
        {
            return await CallOnceAsync(spec, messages, options, send, textShown, firstTokenMs, cancellationToken);
        }

        // Two callers with one key would both miss the recorded-call check below and both pay: one at a time, and the
        // second reuses what the first recorded.
        await using var flight = await _guards.Flight.EnterAsync(spec.CallKey, cancellationToken);
        return await CallOnceAsync(spec, messages, options, send, textShown, firstTokenMs, cancellationToken);
    }

    private async Task<LlmResult> CallOnceAsync(LlmCallSpec spec, IList<ChatMessage> messages, ChatOptions? options,
        Func<IChatClient, CancellationToken, Task<ChatResponse>> send, Func<bool> textShown, Func<int?>? firstTokenMs,
        CancellationToken cancellationToken)
    {
        if (spec.CallKey is not null && await _calls.FindSucceededAsync(spec.CallKey, cancellationToken) is { } recorded)
        {
            return recorded;
        }

        using var activity = LlmTelemetry.StartCall(spec);
        var startedAt = _time.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();
        var cacheKey = ResponseCacheKey.Compute(spec, messages, options);
        var settings = _options.Value;
        ChatResponse? response = null;
        Exception? failure = null;
        LlmErrorClass? errorClass = null;
        var attempts = 0;
        var provider = "unknown";
        try
        {
            var credential = await _credentials.GetAsync(spec.CredentialId, cancellationToken);
            provider = credential.Provider;
            activity?.SetTag("gen_ai.provider.name", provider);
            if (!spec.BypassCache && await _guards.Cache.GetAsync(cacheKey, cancellationToken) is { } hit)
            {
                return await RecordCacheHitAsync(spec, provider, hit, startedAt, stopwatch, activity, cancellationToken);
            }

            var modelSettings = Settings(spec.Parameters);
            var limits = await _guards.Limits.GetAsync(spec.CredentialId, cancellationToken);
            // Disposed after the call: the telemetry layer owns a Meter and an ActivitySource, which stay registered (and
            // in memory) until disposed, one pair per call. Undisposed, a 10,000-case iteration kept 60,000 of each.
            using var client = _factory.Create(credential, spec.Model, modelSettings);
            // Counted only when a tokens-per-minute limit needs it: tokenising a long prompt is not free.
            var estimatedTokens = limits.TokensPerMinute is null ? 0 : _guards.Tokens.EstimateInputTokens(messages, options);
            if (estimatedTokens > 0)
            {
                activity?.SetTag("edison.llm.estimated_input_tokens", estimatedTokens);
            }

            while (true)
            {
                attempts++;
                try
                {
                    // The slot first, then the rate permit: a permit taken while waiting for a slot would be spent late.
                    using (await _guards.Concurrency.EnterAsync(spec.CredentialId, cancellationToken))
                    {
                        await using var permit = await _guards.RateLimiter.AcquireAsync(spec.CredentialId, limits, estimatedTokens, cancellationToken);
                        response = await send(client, cancellationToken);
                    }

                    break;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    var (cls, retryable, retryAfter) = ProviderErrors.Classify(ex, cancellationToken);
                    var delay = RetryDelays.Next(attempts, settings.BaseDelay, retryAfter, Random.Shared);
                    if (!retryable || textShown() || attempts >= settings.MaxAttempts || stopwatch.Elapsed + delay > settings.RetryBudget)
                    {
                        failure = ex;
                        errorClass = cls;
                        break;
                    }

                    LogRetrying(spec.Model, attempts, cls, (int)delay.TotalMilliseconds);
                    await Task.Delay(delay, _time, cancellationToken);
                }
            }
        }
        catch (LlmCallException ex)
        {
            failure = ex;
            errorClass = ex.ErrorClass;
        }

        if (response is not null)
        {
            // Paid for already: a cancellation now must not lose the row or the cached answer.
            await _guards.Cache.SetAsync(cacheKey, new CachedResponse(response.Text, response.FinishReason?.Value), CancellationToken.None);
        }

        var usage = response?.Usage;
        var input = (int)(usage?.InputTokenCount ?? 0);
        var output = (int)(usage?.OutputTokenCount ?? 0);
        var cached = (int)(usage?.CachedInputTokenCount ?? 0);
        // A failure costs nothing knowingly; only a paid answer of an unpriced model is flagged.
        var (cost, priceKnown) = response is null
            ? new PriceLookup(0m, true)
            // The call is paid for: a cancellation from here on must not lose its row.
            : await _prices.CostAsync(spec.Model, input, cached, output, CancellationToken.None);
        var record = new LlmCallRecord(Persistence.Ids.New(), spec, provider, response is null ? "failed" : "succeeded", attempts,
            input, output, cached, (int)(usage?.ReasoningTokenCount ?? 0), cost, (int)stopwatch.ElapsedMilliseconds,
            response?.FinishReason?.Value, response?.Text, errorClass?.ToString(), failure is null ? null : Describe(errorClass, failure),
            startedAt, _time.GetUtcNow()) { PriceKnown = priceKnown, FirstTokenMs = firstTokenMs?.Invoke() };
        var id = await _calls.RecordAsync(record, CancellationToken.None);
        if (id is null && spec.CallKey is not null && await _calls.FindSucceededAsync(spec.CallKey, cancellationToken) is { } raced)
        {
            return raced;
        }

        LlmMetrics.Record(spec.Model, spec.Purpose, response is not null, false, input, output, cost, errorClass?.ToString());
        if (failure is not null)
        {
            LogCallFailed(spec.Model, spec.Purpose, errorClass, attempts);
        }

        activity?.SetTag("edison.llm.cache_hit", false);
        activity?.SetTag("edison.llm.attempts", attempts);
        activity?.SetTag("edison.llm.call_id", id ?? record.Id);
        activity?.SetTag("gen_ai.usage.input_tokens", input);
        activity?.SetTag("gen_ai.usage.output_tokens", output);
        if (errorClass is { } failedAs)
        {
            activity?.SetStatus(ActivityStatusCode.Error, failedAs.ToString());
        }

        return new LlmResult(id ?? record.Id, response is not null, response?.Text ?? "", record.FinishReason, input, output, cost,
            record.LatencyMs, attempts, errorClass, record.Error) { PriceKnown = priceKnown, FirstTokenMs = record.FirstTokenMs };
    }

    private static ModelSettings Settings(string? parameters)
    {
        try
        {
            return ModelSettings.Parse(parameters);
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
        {
            throw new LlmCallException(LlmErrorClass.BadRequest, $"The model config's parameters are invalid: {ex.Message}", ex);
        }
    }

    /// A hit is still a logical call: it gets its row (under its call_key when keyed), with no attempt and no cost.
    private async Task<LlmResult> RecordCacheHitAsync(LlmCallSpec spec, string provider, CachedResponse hit, DateTimeOffset startedAt,
        Stopwatch stopwatch, Activity? activity, CancellationToken cancellationToken)
    {
        var record = new LlmCallRecord(Persistence.Ids.New(), spec, provider, "succeeded", 0, 0, 0, 0, 0, 0m,
            (int)stopwatch.ElapsedMilliseconds, hit.FinishReason, hit.Text, null, null, startedAt, _time.GetUtcNow()) { CacheHit = true };
        var id = await _calls.RecordAsync(record, CancellationToken.None);
        if (id is null && spec.CallKey is not null && await _calls.FindSucceededAsync(spec.CallKey, cancellationToken) is { } raced)
        {
            return raced;
        }

        return CacheHitResult(record, id ?? record.Id, activity);
    }

    /// A recorded cache hit as its result, counted in the call metrics and marked on its span.
    private static LlmResult CacheHitResult(LlmCallRecord record, Guid id, Activity? activity)
    {
        LlmMetrics.Record(record.Spec.Model, record.Spec.Purpose, true, true, 0, 0, 0m, null);
        activity?.SetTag("edison.llm.cache_hit", true);
        activity?.SetTag("edison.llm.attempts", 0);
        activity?.SetTag("edison.llm.call_id", id);
        return new LlmResult(id, true, record.ResponseText ?? "", record.FinishReason, 0, 0, 0m, record.LatencyMs, 0, null, null) { CacheHit = true };
    }

    /// A sentence a person can act on; never the raw exception, which may echo request headers.
    private static string Describe(LlmErrorClass? errorClass, Exception exception) => errorClass switch
    {
        LlmErrorClass.RateLimited => "The provider kept answering 429 (rate limited) after every retry.",
        LlmErrorClass.ServerError => "The provider kept answering with a server error (5xx) after every retry.",
        LlmErrorClass.Timeout => "The provider did not answer in time, after every retry.",
        LlmErrorClass.Network => "The provider could not be reached (connection refused or cut).",
        LlmErrorClass.Unauthorized => "The provider refused the API key (401/403). Check or rotate the credential.",
        LlmErrorClass.BadRequest when exception is LlmCallException => exception.Message,
        // Never the body: a base URL pointed at an internal service would echo that service's answer into the page and the log.
        LlmErrorClass.BadRequest => $"The provider rejected the request{StatusOf(exception)}. Check the model name and the settings.",
        LlmErrorClass.CredentialDisabled => exception.Message,
        _ => "The provider's answer could not be read (malformed response).",
    };

    private static string StatusOf(Exception exception) => exception switch
    {
        System.ClientModel.ClientResultException { Status: > 0 } e => $" (HTTP {e.Status})",
        Anthropic.Exceptions.AnthropicApiException e => $" (HTTP {(int)e.StatusCode})",
        HttpRequestException { StatusCode: { } status } => $" (HTTP {(int)status})",
        OllamaSharp.Models.Exceptions.OllamaException => " (HTTP 400)",
        AggregateException { InnerException: { } inner } => StatusOf(inner),
        _ => "",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Retrying {Model} after attempt {Attempt} ({ErrorClass}) in {DelayMs} ms")]
    private partial void LogRetrying(string model, int attempt, LlmErrorClass errorClass, int delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call to {Model} for {Purpose} failed ({ErrorClass}) after {Attempts} attempts")]
    private partial void LogCallFailed(string model, string purpose, LlmErrorClass? errorClass, int attempts);
}

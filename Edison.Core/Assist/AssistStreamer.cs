using System.Diagnostics;
using System.Runtime.CompilerServices;
using Edison.Core.Llm;
using Microsoft.Extensions.AI;

namespace Edison.Core.Assist;

/// <summary>
/// Streams one ad-hoc call through the credential's client (this branch's gateway has no streaming API), inside the same
/// concurrency cap and rate limit as the gateway, and records the call as one llm_calls row with usage and cost once the
/// stream ends, fails or is abandoned: streamed calls are never free in the books.
/// </summary>
internal sealed class AssistStreamer(IChatClientFactory factory, CredentialStore credentials, LlmCallStore calls, PriceTable prices,
    LlmGatewayGuards guards, TimeProvider time)
{
    public async IAsyncEnumerable<string> StreamAsync(LlmCallSpec spec, IList<ChatMessage> messages, ChatOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();
        var credential = await credentials.GetAsync(spec.CredentialId, cancellationToken);
        var client = factory.Create(credential, spec.Model, ModelSettings.Parse(spec.Parameters));
        var limits = await guards.Limits.GetAsync(spec.CredentialId, cancellationToken);
        var updates = new List<ChatResponseUpdate>();
        Exception? failure = null;
        var completed = false;
        using var lease = await guards.Concurrency.EnterAsync(spec.CredentialId, cancellationToken);
        await using var permit = await guards.RateLimiter.AcquireAsync(spec.CredentialId, limits, cancellationToken);
        var stream = client.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await stream.MoveNextAsync();
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = ex;
                    break;
                }

                if (!more)
                {
                    completed = true;
                    break;
                }

                updates.Add(stream.Current);
                if (!string.IsNullOrEmpty(stream.Current.Text))
                {
                    yield return stream.Current.Text;
                }
            }
        }
        finally
        {
            await stream.DisposeAsync();
            await RecordAsync(spec, credential.Provider, updates, completed, failure, startedAt, stopwatch, cancellationToken);
        }

        if (failure is not null)
        {
            var (errorClass, _, _) = ProviderErrors.Classify(failure, cancellationToken);
            throw new LlmCallException(errorClass, $"The streamed assist call failed ({errorClass}).", failure);
        }
    }

    private async Task RecordAsync(LlmCallSpec spec, string provider, List<ChatResponseUpdate> updates, bool completed, Exception? failure,
        DateTimeOffset startedAt, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        var response = updates.ToChatResponse();
        var usage = response.Usage;
        var input = (int)(usage?.InputTokenCount ?? 0);
        var output = (int)(usage?.OutputTokenCount ?? 0);
        var cached = (int)(usage?.CachedInputTokenCount ?? 0);
        var (cost, priceKnown) = await prices.CostAsync(spec.Model, input, cached, output, CancellationToken.None);
        var errorClass = failure is null ? (LlmErrorClass?)null : ProviderErrors.Classify(failure, cancellationToken).Class;
        var error = failure is not null ? $"The stream failed ({errorClass})." : completed ? null : "The caller stopped reading the stream.";
        await calls.RecordAsync(new LlmCallRecord(Persistence.Ids.New(), spec, provider, completed ? "succeeded" : "failed", 1, input, output, cached,
            (int)(usage?.ReasoningTokenCount ?? 0), cost, (int)stopwatch.ElapsedMilliseconds, response.FinishReason?.Value, response.Text,
            errorClass?.ToString(), error, startedAt, time.GetUtcNow()) { PriceKnown = priceKnown }, CancellationToken.None);
    }
}

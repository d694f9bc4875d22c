using Edison.Core.Llm.Structured;
using Microsoft.Extensions.AI;

namespace Edison.Core.Llm;

/// <summary>
/// Asks for a JSON answer pinned by the call's schema (<see cref="StructuredCalls"/>) and gets a valid one or a reason:
/// validate against that schema, else repair deterministically, else one more call with the model's bad answer and the
/// error fed back.
/// </summary>
internal static class StructuredOutput
{
    /// <summary>The call_key suffix of the retry, so a re-run reuses the recorded retry like any other loop call.</summary>
    public const string RepairKeySuffix = ":repair";

    public static Task<StructuredResult<T>> CompleteAsync<T>(LlmGateway gateway, LlmCallSpec spec, IList<ChatMessage> messages,
        StructuredCall<T> call, ChatOptions? options, CancellationToken cancellationToken)
        where T : class =>
        AnswerAsync(gateway, spec, messages, call, options, null, null, cancellationToken);

    /// <summary>
    /// As the overload without <paramref name="answered"/>, but when the first call was already answered without a provider
    /// (<see cref="LlmGateway.ResolveWithoutProviderAsync"/>), that answer is validated instead of calling.
    /// </summary>
    public static Task<StructuredResult<T>> CompleteAsync<T>(LlmGateway gateway, LlmCallSpec spec, IList<ChatMessage> messages,
        StructuredCall<T> call, ChatOptions? options, LlmResult? answered,
        CancellationToken cancellationToken)
        where T : class =>
        AnswerAsync(gateway, spec, messages, call, options, answered, null, cancellationToken);

    /// <summary>
    /// As <see cref="CompleteAsync{T}(LlmGateway, LlmCallSpec, IList{ChatMessage}, StructuredCall{T}, ChatOptions?, CancellationToken)"/>,
    /// with the first answer streamed to <paramref name="onText"/> as it arrives, so a person sees it being written. The
    /// repair retry is not streamed: it is rare, and its answer replaces the first one whole.
    /// </summary>
    public static Task<StructuredResult<T>> StreamAsync<T>(LlmGateway gateway, LlmCallSpec spec, IList<ChatMessage> messages,
        StructuredCall<T> call, ChatOptions? options,
        Func<string, CancellationToken, ValueTask> onText, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(onText);
        return AnswerAsync(gateway, spec, messages, call, options, null, onText, cancellationToken);
    }

    private static async Task<StructuredResult<T>> AnswerAsync<T>(LlmGateway gateway, LlmCallSpec spec, IList<ChatMessage> messages,
        StructuredCall<T> call, ChatOptions? options, LlmResult? answered,
        Func<string, CancellationToken, ValueTask>? onText, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(call);
        var callOptions = call.Options(options);
        Func<string, (T? Value, string? Error)> validate = call.Parse;

        var first = answered
            ?? (onText is null
                ? await gateway.CompleteAsync(spec, messages, callOptions, cancellationToken)
                : await gateway.StreamAsync(spec, messages, callOptions, onText, cancellationToken));
        if (!first.Succeeded)
        {
            return new StructuredResult<T>(null, first.Error, first, false, false);
        }

        var (value, error, repaired) = ValidateWithRepair(first.Text, validate);
        if (value is not null)
        {
            return new StructuredResult<T>(value, null, first, repaired, false);
        }

        List<ChatMessage> retryMessages =
        [
            .. messages,
            new(ChatRole.Assistant, first.Text),
            new(ChatRole.User, $"Your answer was not valid: {error}. Reply again with only the JSON object."),
        ];
        var retrySpec = spec with { CallKey = spec.CallKey is null ? null : spec.CallKey + RepairKeySuffix };
        var second = await gateway.CompleteAsync(retrySpec, retryMessages, callOptions, cancellationToken);
        if (!second.Succeeded)
        {
            return new StructuredResult<T>(null, second.Error, second, false, true);
        }

        (value, error, repaired) = ValidateWithRepair(second.Text, validate);
        return new StructuredResult<T>(value, value is null ? error : null, second, repaired, true);
    }

    private static (T? Value, string? Error, bool Repaired) ValidateWithRepair<T>(string text, Func<string, (T? Value, string? Error)> validate)
        where T : class
    {
        var (value, error) = validate(text);
        if (value is not null)
        {
            return (value, null, false);
        }

        var repairedText = JsonRepair.Repair(text);
        if (string.Equals(repairedText, text, StringComparison.Ordinal))
        {
            return (null, error, false);
        }

        // The original error is the one to report: it describes what the model actually said.
        var (repairedValue, _) = validate(repairedText);
        return repairedValue is not null ? (repairedValue, null, true) : (null, error, false);
    }
}

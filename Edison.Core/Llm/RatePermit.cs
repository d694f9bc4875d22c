namespace Edison.Core.Llm;

/// <summary>
/// One request's place in a credential's sliding log. Disposing it (when the attempt has ended) moves the entry to that
/// moment: the provider saw the request somewhere between permit and answer, so counting it from the answer keeps
/// connection set-up and transit time from letting more than the limit into any window the provider measures.
/// </summary>
internal sealed class RatePermit(Func<Task>? restamp) : IAsyncDisposable
{
    public static RatePermit None { get; } = new(null);

    public async ValueTask DisposeAsync()
    {
        if (restamp is not null)
        {
            await restamp();
        }
    }
}

namespace Edison.Testing;

/// <summary>Bounded waiting for a condition that another process makes true.</summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Calls <paramref name="probe"/> until <paramref name="done"/> accepts its value and returns that value. When the token
    /// ends first, throws a <see cref="TimeoutException"/> that says what <paramref name="what"/> was waited for and shows the last value.
    /// </summary>
    public static async Task<T> UntilAsync<T>(string what, Func<CancellationToken, Task<T>> probe, Func<T, bool> done,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        var last = default(T);
        try
        {
            while (true)
            {
                last = await probe(cancellationToken);
                if (done(last))
                {
                    return last;
                }

                await Task.Delay(Interval, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Gave up waiting for {what}; the last value seen was: {last?.ToString() ?? "(none)"}");
        }
    }
}

namespace Edison.Core.Llm;

/// Exponential backoff with full jitter, or the provider's Retry-After when it names one.
internal static class RetryDelays
{
    public static TimeSpan Next(int attempt, TimeSpan baseDelay, TimeSpan? retryAfter, Random random)
    {
        if (retryAfter is { } after && after > TimeSpan.Zero)
        {
            return after;
        }

        var ceiling = baseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        return TimeSpan.FromMilliseconds((ceiling / 2) + (random.NextDouble() * ceiling / 2));
    }
}

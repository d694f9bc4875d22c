using System.Globalization;

namespace Edison.Core.Llm;

/// Reads a provider's wait hint: retry-after-ms (OpenAI, Azure, Anthropic) wins over Retry-After (seconds or an HTTP date).
internal static class RetryAfterHeader
{
    public static TimeSpan? Parse(string? milliseconds, string? retryAfter)
    {
        if (double.TryParse(milliseconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms))
        {
            return TimeSpan.FromMilliseconds(Math.Max(0, ms));
        }

        if (retryAfter is null)
        {
            return null;
        }

        if (double.TryParse(retryAfter, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Max(0, seconds));
        }

        return DateTimeOffset.TryParse(retryAfter, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at - DateTimeOffset.UtcNow
            : null;
    }
}

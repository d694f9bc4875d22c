using System.Net;

namespace Edison.Core.Llm.Providers;

/// A retryable status that came with a wait hint, raised where the SDK's own exception would drop the headers.
internal sealed class RetryAfterException : HttpRequestException
{
    public RetryAfterException(HttpStatusCode status, TimeSpan retryAfter)
        : base($"The provider answered {(int)status} and asked to retry after {retryAfter.TotalMilliseconds:F0} ms.", null, status) =>
        RetryAfter = retryAfter;

    public RetryAfterException()
    {
    }

    public RetryAfterException(string message) : base(message)
    {
    }

    public RetryAfterException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public TimeSpan? RetryAfter { get; }
}

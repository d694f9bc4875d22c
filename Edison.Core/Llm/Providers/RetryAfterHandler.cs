using System.Net;

namespace Edison.Core.Llm.Providers;

/// <summary>
/// Turns a 429 or 5xx that carries Retry-After into a <see cref="RetryAfterException"/>, for SDKs whose exceptions do
/// not expose response headers (Anthropic, OllamaSharp), so the gateway can still wait as long as the provider asked.
/// </summary>
internal sealed class RetryAfterHandler : DelegatingHandler
{
    public RetryAfterHandler()
    {
    }

    public RetryAfterHandler(HttpMessageHandler inner) : base(inner)
    {
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode is not (HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError))
        {
            return response;
        }

        var ms = response.Headers.TryGetValues("retry-after-ms", out var values) ? values.FirstOrDefault() : null;
        var after = RetryAfterHeader.Parse(ms, response.Headers.TryGetValues("Retry-After", out var seconds) ? seconds.FirstOrDefault() : null);
        if (after is null)
        {
            return response;
        }

        var status = response.StatusCode;
        response.Dispose();
        throw new RetryAfterException(status, after.Value);
    }
}

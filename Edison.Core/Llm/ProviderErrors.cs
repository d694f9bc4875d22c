using System.ClientModel;
using System.Net;
using Anthropic.Exceptions;
using Edison.Core.Llm.Providers;
using Google.Apis.Auth.OAuth2.Responses;
using OllamaSharp.Models.Exceptions;

namespace Edison.Core.Llm;

/// Turns provider SDK exceptions into Edison's error classes and says whether, and when, to retry.
internal static class ProviderErrors
{
    public static (LlmErrorClass Class, bool Retryable, TimeSpan? RetryAfter) Classify(Exception exception, CancellationToken callerToken) =>
        exception switch
        {
            LlmCallException e => (e.ErrorClass, false, null),
            ClientResultException e when e.Status == 429 => (LlmErrorClass.RateLimited, true, RetryAfter(e)),
            ClientResultException e when e.Status is 401 or 403 => (LlmErrorClass.Unauthorized, false, null),
            ClientResultException e when e.Status is 408 => (LlmErrorClass.Timeout, true, null),
            ClientResultException e when e.Status >= 500 => (LlmErrorClass.ServerError, true, RetryAfter(e)),
            ClientResultException e when e.Status >= 400 => (LlmErrorClass.BadRequest, false, null),
            // System.ClientModel reports a send that got no response (connection refused or reset) as status 0 around the transport's exception.
            ClientResultException { Status: 0, InnerException: { } inner } => Classify(inner, callerToken),
            ClientResultException => (LlmErrorClass.MalformedResponse, false, null),
            // Raised by RetryAfterHandler under the Anthropic and Ollama clients, whose own exceptions drop the headers.
            RetryAfterException e => (ByStatus(e.StatusCode ?? HttpStatusCode.TooManyRequests).Class, true, e.RetryAfter),
            AnthropicApiException e => ByStatus(e.StatusCode),
            AnthropicIOException { InnerException: { } inner } => Classify(inner, callerToken),
            AnthropicIOException => (LlmErrorClass.Network, true, null),
            AnthropicException => (LlmErrorClass.MalformedResponse, false, null),
            // Vertex's OAuth token endpoint refused the service account (invalid_grant…), or failed itself.
            TokenResponseException { StatusCode: >= HttpStatusCode.InternalServerError } => (LlmErrorClass.ServerError, true, null),
            TokenResponseException => (LlmErrorClass.Unauthorized, false, null),
            // OllamaSharp turns a 400 with an error body into this (other statuses stay HttpRequestException with the status).
            OllamaException => (LlmErrorClass.BadRequest, false, null),
            HttpRequestException { StatusCode: { } status } => ByStatus(status),
            HttpRequestException or IOException => (LlmErrorClass.Network, true, null),
            OperationCanceledException when !callerToken.IsCancellationRequested => (LlmErrorClass.Timeout, true, null),
            AggregateException { InnerException: { } inner } => Classify(inner, callerToken),
            _ => (LlmErrorClass.MalformedResponse, false, null),
        };

    private static (LlmErrorClass Class, bool Retryable, TimeSpan? RetryAfter) ByStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.TooManyRequests => (LlmErrorClass.RateLimited, true, null),
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => (LlmErrorClass.Unauthorized, false, null),
        HttpStatusCode.RequestTimeout => (LlmErrorClass.Timeout, true, null),
        >= HttpStatusCode.InternalServerError => (LlmErrorClass.ServerError, true, null),
        _ => (LlmErrorClass.BadRequest, false, null),
    };

    private static TimeSpan? RetryAfter(ClientResultException exception)
    {
        var response = exception.GetRawResponse();
        return response is null
            ? null
            : RetryAfterHeader.Parse(
                response.Headers.TryGetValue("retry-after-ms", out var ms) ? ms : null,
                response.Headers.TryGetValue("Retry-After", out var value) ? value : null);
    }
}

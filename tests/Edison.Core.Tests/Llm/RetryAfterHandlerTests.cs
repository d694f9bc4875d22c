using System.Net;
using Edison.Core.Llm;
using Edison.Core.Llm.Providers;

namespace Edison.Core.Tests.Llm;

public sealed class RetryAfterHandlerTests
{
    [Fact]
    public async Task SendAsync_429WithRetryAfterMs_ThrowsRetryAfterExceptionTheGatewayWaitsOn()
    {
        using var invoker = Invoker(HttpStatusCode.TooManyRequests, ("retry-after-ms", "1200"), ("Retry-After", "2"));

        var ex = await Assert.ThrowsAsync<RetryAfterException>(() => SendAsync(invoker));

        Assert.Equal(TimeSpan.FromMilliseconds(1200), ex.RetryAfter);
        Assert.Equal((LlmErrorClass.RateLimited, true, TimeSpan.FromMilliseconds(1200)), ProviderErrors.Classify(ex, CancellationToken.None));
    }

    [Fact]
    public async Task SendAsync_503WithRetryAfterSeconds_ThrowsAndClassifiesAsServerError()
    {
        using var invoker = Invoker(HttpStatusCode.ServiceUnavailable, ("Retry-After", "3"));

        var ex = await Assert.ThrowsAsync<RetryAfterException>(() => SendAsync(invoker));

        Assert.Equal((LlmErrorClass.ServerError, true, TimeSpan.FromSeconds(3)), ProviderErrors.Classify(ex, CancellationToken.None));
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadRequest)]
    public async Task SendAsync_NoWaitHint_PassesTheResponseToTheSdk(HttpStatusCode status)
    {
        using var invoker = Invoker(status);

        using var response = await SendAsync(invoker);

        Assert.Equal(status, response.StatusCode);
    }

    [Fact]
    public async Task SendAsync_400WithRetryAfter_PassesTheResponseToTheSdk()
    {
        using var invoker = Invoker(HttpStatusCode.BadRequest, ("Retry-After", "1"));

        using var response = await SendAsync(invoker);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static HttpMessageInvoker Invoker(HttpStatusCode status, params (string Name, string Value)[] headers) =>
        new(new RetryAfterHandler(new StubHandler(status, headers)));

    private static async Task<HttpResponseMessage> SendAsync(HttpMessageInvoker invoker)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/v1/messages");
        return await invoker.SendAsync(request, CancellationToken.None);
    }

    private sealed class StubHandler(HttpStatusCode status, (string Name, string Value)[] headers) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(status);
            foreach (var (name, value) in headers)
            {
                response.Headers.TryAddWithoutValidation(name, value);
            }

            return Task.FromResult(response);
        }
    }
}

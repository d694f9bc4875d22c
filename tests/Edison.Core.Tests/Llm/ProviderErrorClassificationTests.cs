using System.ClientModel;
using System.Net;
using System.Text.Json;
using Edison.Core.Llm;

namespace Edison.Core.Tests.Llm;

public sealed class ProviderErrorClassificationTests
{
    [Fact]
    public void Classify_429WithRetryAfterSeconds_RateLimitedRetryableWithDelay()
    {
        var ex = new ClientResultException(new FakePipelineResponse(429, new Dictionary<string, string> { ["Retry-After"] = "7" }));

        var (cls, retryable, retryAfter) = ProviderErrors.Classify(ex, CancellationToken.None);

        Assert.Equal(429, ex.Status);
        Assert.Equal(LlmErrorClass.RateLimited, cls);
        Assert.True(retryable);
        Assert.Equal(TimeSpan.FromSeconds(7), retryAfter);
    }

    [Fact]
    public void Classify_429WithFractionalRetryAfter_ParsedInvariantly()
    {
        var ex = new ClientResultException(new FakePipelineResponse(429, new Dictionary<string, string> { ["retry-after"] = "1.5" }));

        Assert.Equal(TimeSpan.FromSeconds(1.5), ProviderErrors.Classify(ex, CancellationToken.None).RetryAfter);
    }

    [Fact]
    public void Classify_429WithHttpDateRetryAfter_DelayUntilThatTime()
    {
        var at = DateTimeOffset.UtcNow.AddSeconds(30);
        var ex = new ClientResultException(new FakePipelineResponse(429, new Dictionary<string, string> { ["Retry-After"] = at.ToString("R") }));

        var retryAfter = ProviderErrors.Classify(ex, CancellationToken.None).RetryAfter;

        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(31));
    }

    [Fact]
    public void Classify_429WithoutRetryAfter_RetryableWithoutDelay()
    {
        var (cls, retryable, retryAfter) = ProviderErrors.Classify(new ClientResultException(new FakePipelineResponse(429)), CancellationToken.None);

        Assert.Equal(LlmErrorClass.RateLimited, cls);
        Assert.True(retryable);
        Assert.Null(retryAfter);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public void Classify_AuthFailure_UnauthorizedNotRetryable(int status)
    {
        var (cls, retryable, _) = ProviderErrors.Classify(new ClientResultException(new FakePipelineResponse(status)), CancellationToken.None);

        Assert.Equal(LlmErrorClass.Unauthorized, cls);
        Assert.False(retryable);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(529)]
    public void Classify_5xx_ServerErrorRetryable(int status)
    {
        var (cls, retryable, _) = ProviderErrors.Classify(new ClientResultException(new FakePipelineResponse(status)), CancellationToken.None);

        Assert.Equal(LlmErrorClass.ServerError, cls);
        Assert.True(retryable);
    }

    [Fact]
    public void Classify_503WithRetryAfter_HonoursIt()
    {
        var ex = new ClientResultException(new FakePipelineResponse(503, new Dictionary<string, string> { ["Retry-After"] = "2" }));

        Assert.Equal(TimeSpan.FromSeconds(2), ProviderErrors.Classify(ex, CancellationToken.None).RetryAfter);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(422)]
    public void Classify_Other4xx_BadRequestNotRetryable(int status)
    {
        var (cls, retryable, _) = ProviderErrors.Classify(new ClientResultException(new FakePipelineResponse(status)), CancellationToken.None);

        Assert.Equal(LlmErrorClass.BadRequest, cls);
        Assert.False(retryable);
    }

    [Fact]
    public void Classify_408_TimeoutRetryable()
    {
        var (cls, retryable, _) = ProviderErrors.Classify(new ClientResultException(new FakePipelineResponse(408)), CancellationToken.None);

        Assert.Equal(LlmErrorClass.Timeout, cls);
        Assert.True(retryable);
    }

    [Fact]
    public void Classify_SdkWrappedConnectionRefused_NetworkRetryable()
    {
        // What the OpenAI SDK throws when nothing listens: status 0, the transport error inside.
        var ex = new ClientResultException("Connection refused (127.0.0.1:1)", response: null,
            new HttpRequestException("Connection refused (127.0.0.1:1)", new System.Net.Sockets.SocketException(111)));

        var (cls, retryable, _) = ProviderErrors.Classify(ex, CancellationToken.None);

        Assert.Equal(0, ex.Status);
        Assert.Equal(LlmErrorClass.Network, cls);
        Assert.True(retryable);
    }

    [Fact]
    public void Classify_SdkWrappedCutConnection_NetworkRetryable()
    {
        var ex = new ClientResultException("The response ended prematurely.", response: null, new IOException("The response ended prematurely."));

        Assert.Equal((LlmErrorClass.Network, true), Short(ProviderErrors.Classify(ex, CancellationToken.None)));
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, LlmErrorClass.RateLimited, true)]
    [InlineData(HttpStatusCode.BadGateway, LlmErrorClass.ServerError, true)]
    [InlineData(HttpStatusCode.Unauthorized, LlmErrorClass.Unauthorized, false)]
    [InlineData(HttpStatusCode.Forbidden, LlmErrorClass.Unauthorized, false)]
    [InlineData(HttpStatusCode.NotFound, LlmErrorClass.BadRequest, false)]
    public void Classify_HttpRequestExceptionWithStatus_ByStatus(HttpStatusCode status, LlmErrorClass expected, bool expectedRetryable)
    {
        var ex = new HttpRequestException("failed", null, status);

        Assert.Equal((expected, expectedRetryable), Short(ProviderErrors.Classify(ex, CancellationToken.None)));
    }

    [Fact]
    public void Classify_HttpRequestExceptionWithoutStatus_NetworkRetryable()
    {
        Assert.Equal((LlmErrorClass.Network, true), Short(ProviderErrors.Classify(new HttpRequestException("refused"), CancellationToken.None)));
    }

    [Fact]
    public void Classify_IOException_NetworkRetryable()
    {
        Assert.Equal((LlmErrorClass.Network, true), Short(ProviderErrors.Classify(new IOException("reset"), CancellationToken.None)));
    }

    [Fact]
    public void Classify_CancelledWhileCallerStillWaiting_TimeoutRetryable()
    {
        // The SDK's NetworkTimeout surfaces as TaskCanceledException while the caller's token is still live.
        var ex = new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout.");

        Assert.Equal((LlmErrorClass.Timeout, true), Short(ProviderErrors.Classify(ex, CancellationToken.None)));
    }

    [Fact]
    public void Classify_CallerCancelled_NotTimeoutAndNotRetryable()
    {
        using var caller = new CancellationTokenSource();
        caller.Cancel();
        var ex = new OperationCanceledException(caller.Token);

        var (cls, retryable, _) = ProviderErrors.Classify(ex, caller.Token);

        Assert.NotEqual(LlmErrorClass.Timeout, cls);
        Assert.False(retryable);
    }

    [Fact]
    public void Classify_AggregateException_ClassifiesInner()
    {
        var ex = new AggregateException(new ClientResultException(new FakePipelineResponse(429)));

        Assert.Equal((LlmErrorClass.RateLimited, true), Short(ProviderErrors.Classify(ex, CancellationToken.None)));
    }

    [Fact]
    public void Classify_LlmCallException_KeepsItsClassNotRetryable()
    {
        var ex = new LlmCallException(LlmErrorClass.CredentialDisabled, "disabled");

        Assert.Equal((LlmErrorClass.CredentialDisabled, false), Short(ProviderErrors.Classify(ex, CancellationToken.None)));
    }

    [Fact]
    public void Classify_JsonException_MalformedNotRetryable()
    {
        Assert.Equal((LlmErrorClass.MalformedResponse, false), Short(ProviderErrors.Classify(new JsonException("bad"), CancellationToken.None)));
    }

    private static (LlmErrorClass, bool) Short((LlmErrorClass Class, bool Retryable, TimeSpan? RetryAfter) result) =>
        (result.Class, result.Retryable);
}

using System.ClientModel;
using System.Net;
using Edison.Core.Llm;

namespace Edison.Core.Tests.Llm;

public sealed class RetryAfterMsClassificationTests
{
    [Fact]
    public void Classify_429WithRetryAfterMsAndRetryAfter_UsesTheMilliseconds()
    {
        var ex = new ClientResultException(new FakePipelineResponse(429,
            new Dictionary<string, string> { ["retry-after-ms"] = "250", ["Retry-After"] = "1" }));

        var (cls, retryable, retryAfter) = ProviderErrors.Classify(ex, CancellationToken.None);

        Assert.Equal((LlmErrorClass.RateLimited, true), (cls, retryable));
        Assert.Equal(TimeSpan.FromMilliseconds(250), retryAfter);
    }

    [Fact]
    public void Classify_503WithRetryAfterMsOnly_ServerErrorWithThatDelay()
    {
        var ex = new ClientResultException(new FakePipelineResponse(503, new Dictionary<string, string> { ["Retry-After-Ms"] = "1500.5" }));

        var (cls, retryable, retryAfter) = ProviderErrors.Classify(ex, CancellationToken.None);

        Assert.Equal((LlmErrorClass.ServerError, true), (cls, retryable));
        Assert.Equal(TimeSpan.FromMilliseconds(1500.5), retryAfter);
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, LlmErrorClass.RateLimited, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, LlmErrorClass.ServerError, true)]
    [InlineData(HttpStatusCode.RequestTimeout, LlmErrorClass.Timeout, true)]
    [InlineData(HttpStatusCode.Unauthorized, LlmErrorClass.Unauthorized, false)]
    [InlineData(HttpStatusCode.NotFound, LlmErrorClass.BadRequest, false)]
    public void Classify_OllamaHttpRequestExceptionWithStatus_ClassifiedByStatus(HttpStatusCode status, LlmErrorClass expected, bool retryable)
    {
        var ex = new HttpRequestException("Ollama said no.", null, status);

        var (cls, isRetryable, _) = ProviderErrors.Classify(ex, CancellationToken.None);

        Assert.Equal((expected, retryable), (cls, isRetryable));
    }
}

using Edison.Core.Regression;

namespace Edison.Core.Tests.Regression;

public sealed class WebhookTests
{
    private const string Expected = "b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163";

    [Fact]
    public void Sign_KnownSecretTimestampAndBody_GivesTheHmacOfTimestampDotBody()
    {
        // HMAC-SHA256("secret", "1700000000.{}"), computed independently with openssl.
        Assert.Equal("sha256=" + Expected, WebhookSignature.Sign("secret", 1_700_000_000, "{}"));
    }

    [Fact]
    public void Verify_ChangedBodyTimestampOrSecret_IsFalse()
    {
        var signature = WebhookSignature.Sign("secret", 1_700_000_000, "{\"a\":1}");

        Assert.True(WebhookSignature.Verify("secret", 1_700_000_000, "{\"a\":1}", signature));
        Assert.False(WebhookSignature.Verify("secret", 1_700_000_000, "{\"a\":2}", signature));
        Assert.False(WebhookSignature.Verify("secret", 1_700_000_001, "{\"a\":1}", signature));
        Assert.False(WebhookSignature.Verify("other", 1_700_000_000, "{\"a\":1}", signature));
        Assert.False(WebhookSignature.Verify("secret", 1_700_000_000, "{\"a\":1}", null));
    }

    [Fact]
    public void NewSecret_IsLongRandomAndUrlSafe()
    {
        var a = WebhookSignature.NewSecret();
        var b = WebhookSignature.NewSecret();

        Assert.NotEqual(a, b);
        Assert.Equal(43, a.Length);
        Assert.DoesNotContain(a, c => c is '+' or '/' or '=');
    }

    [Theory]
    [InlineData("https://hooks.example.com/edison", true)]
    [InlineData("http://127.0.0.1:8080/hook", true)]
    [InlineData("http://localhost/hook", true)]
    [InlineData("http://hooks.example.com/edison", false)]
    [InlineData("ftp://hooks.example.com/edison", false)]
    [InlineData("https://user:pass@hooks.example.com/edison", false)]
    [InlineData("https://hooks.example.com/edison#frag", false)]
    [InlineData("/relative/hook", false)]
    [InlineData("not a url", false)]
    public void Validate_Address_AcceptsHttpsAndLocalHttpOnly(string url, bool accepted) =>
        Assert.Equal(accepted, WebhookUrl.Validate(url, allowPlainHttpLoopback: true) is null);

    // Issue 18, finding 5: plain-http loopback webhooks were accepted in Production, and metadata addresses everywhere.
    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://localhost:6379/")]
    [InlineData("https://169.254.169.254/latest/meta-data/iam")]
    [InlineData("https://2852039166/latest")]
    [InlineData("https://metadata.google.internal/computeMetadata/v1")]
    [InlineData("https://[fe80::1]/hook")]
    public void Validate_HostileAddressOutsideDevelopment_IsRefused(string url) =>
        Assert.NotNull(WebhookUrl.Validate(url));
}

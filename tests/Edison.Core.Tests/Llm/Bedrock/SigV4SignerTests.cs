using System.Globalization;
using Edison.Core.Llm.Providers.Bedrock;

namespace Edison.Core.Tests.Llm.Bedrock;

public sealed class SigV4SignerTests
{
    private const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static readonly AwsKeys ExampleKeys = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
    private static readonly DateTimeOffset ExampleTime =
        DateTimeOffset.ParseExact("20150830T123600Z", "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    [Fact]
    public void Authorization_AwsGetVanillaTestVector_MatchesThePublishedSignature()
    {
        var headers = new Dictionary<string, string> { ["host"] = "example.amazonaws.com", ["x-amz-date"] = "20150830T123600Z" };

        var authorization = SigV4Signer.Authorization("GET", "/", "", headers, EmptyPayloadHash, ExampleKeys, "us-east-1", "service", ExampleTime);

        Assert.Equal("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, "
            + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", authorization);
    }

    [Fact]
    public void Sign_GetVanillaAsHttpRequest_AddsTheDateAndTheSameAuthorization()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/");

        SigV4Signer.Sign(request, [], ExampleKeys, "us-east-1", "service", ExampleTime);

        Assert.Equal("20150830T123600Z", request.Headers.GetValues("x-amz-date").Single());
        Assert.EndsWith("Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            request.Headers.GetValues("Authorization").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_SessionToken_IsSentAndSigned()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse");

        SigV4Signer.Sign(request, [1, 2], ExampleKeys with { SessionToken = "token" }, "us-east-1", "bedrock", ExampleTime);

        Assert.Equal("token", request.Headers.GetValues("x-amz-security-token").Single());
        Assert.Contains("SignedHeaders=host;x-amz-date;x-amz-security-token,", request.Headers.GetValues("Authorization").Single(),
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/", "/")]
    [InlineData("/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse", "/model/anthropic.claude-3-5-haiku-20241022-v1%253A0/converse")]
    [InlineData("/model/my%20model/converse", "/model/my%2520model/converse")]
    public void CanonicalUri_EscapedPath_IsEscapedAgainAsAwsSignsIt(string path, string expected) =>
        Assert.Equal(expected, SigV4Signer.CanonicalUri(path));

    [Theory]
    [InlineData("AKIA1:secret", true)]
    [InlineData("AKIA1:secret:session", true)]
    [InlineData("AKIA1", false)]
    [InlineData("AKIA1:", false)]
    [InlineData("AK/IA:secret", false)]
    public void Parse_KeyText_AcceptsOnlyIdColonSecret(string text, bool valid) =>
        Assert.Equal(valid, AwsKeys.Parse(text) is not null);
}

using Edison.Core.Security;

namespace Edison.Core.Tests.Security;

public sealed class OutboundPolicyTests
{
    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://2852039166/")]
    [InlineData("http://0xA9FEA9FE/")]
    [InlineData("http://[::ffff:169.254.169.254]/")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/")]
    [InlineData("http://[fd00:ec2::254]/")]
    [InlineData("http://100.100.100.200/")]
    [InlineData("http://metadata.google.internal/computeMetadata/v1")]
    [InlineData("http://METADATA.GOOGLE.INTERNAL./")]
    [InlineData("http://[fe80::1]/")]
    [InlineData("http://0.0.0.0:11434/")]
    [InlineData("http://224.0.0.1/")]
    public void Refusal_MetadataLinkLocalOrUnroutable_IsRefusedEvenWhereLoopbackIsAllowed(string url) =>
        Assert.NotNull(OutboundPolicy.Refusal(new Uri(url), allowPrivate: true));

    [Theory]
    [InlineData("http://127.0.0.1:11434/")]
    [InlineData("http://2130706433/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://10.1.2.3/v1")]
    [InlineData("http://172.20.0.5/v1")]
    [InlineData("http://192.168.1.9/v1")]
    [InlineData("http://[fd12:3456::1]/v1")]
    public void Refusal_LoopbackOrPrivate_IsAllowedOnlyWhereThePolicySaysSo(string url)
    {
        Assert.Null(OutboundPolicy.Refusal(new Uri(url), allowPrivate: true));
        Assert.NotNull(OutboundPolicy.Refusal(new Uri(url), allowPrivate: false));
    }

    [Theory]
    [InlineData("https://api.openai.com/v1")]
    [InlineData("https://8.8.8.8/")]
    [InlineData("https://hooks.example.com/edison")]
    public void Refusal_PublicAddress_IsAllowed(string url) =>
        Assert.Null(OutboundPolicy.Refusal(new Uri(url), allowPrivate: false));
}

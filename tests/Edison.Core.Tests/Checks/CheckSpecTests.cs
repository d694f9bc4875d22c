using Edison.Core.Checks;

namespace Edison.Core.Tests.Checks;

public sealed class CheckSpecTests
{
    [Theory]
    [InlineData("contains", "refund", null, null, "contains \"refund\"")]
    [InlineData("not_contains", "sorry", null, null, "does not contain \"sorry\"")]
    [InlineData("regex", @"\d+", null, null, @"matches /\d+/")]
    [InlineData("valid_json", null, null, null, "valid JSON")]
    [InlineData("json_schema", "{}", null, null, "matches the JSON schema")]
    [InlineData("length_between", null, 10d, 200d, "length 10–200 characters")]
    [InlineData("length_between", null, 10d, null, "length at least 10 characters")]
    [InlineData("max_latency_ms", null, null, 1500d, "latency at most 1500 ms")]
    [InlineData("max_cost_usd", null, null, 0.02d, "cost at most $0.02")]
    public void DisplayName_NoName_DescribesTheCheck(string kind, string? value, double? min, double? max, string expected)
    {
        Assert.Equal(expected, new CheckSpec(kind, value, min, max).DisplayName);
    }

    [Fact]
    public void DisplayName_NameGiven_UsesIt()
    {
        Assert.Equal("Mentions refunds", new CheckSpec("contains", "refund", Name: " Mentions refunds ").DisplayName);
    }
}

using Edison.Core.Security;

namespace Edison.Core.Tests.Security;

public sealed class AuditSummaryTests
{
    [Fact]
    public void Describe_AnObject_ListsItsFieldsAsNameColonValue()
    {
        Assert.Equal("name: ci, role: viewer", AuditSummary.Describe("""{"name": "ci", "role": "viewer"}"""));
    }

    [Fact]
    public void Describe_NestedValues_KeepsTheirShapeReadable()
    {
        Assert.Equal("settings: (region: eu-west-1), tags: [a, b], count: 3, on: true, gone: null",
            AuditSummary.Describe("""{"settings": {"region": "eu-west-1"}, "tags": ["a", "b"], "count": 3, "on": true, "gone": null}"""));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Describe_NoSummary_IsEmpty(string? json)
    {
        Assert.Equal("", AuditSummary.Describe(json));
    }
}

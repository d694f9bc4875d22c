using Edison.Core.Checks;

namespace Edison.Core.Tests.Checks;

public sealed class CheckSpecValidationTests
{
    [Fact]
    public void Validate_OneOfEachKindWellFormed_NoErrors()
    {
        CheckSpec[] specs =
        [
            new("contains", "refund"), new("not_contains", "sorry"), new("regex", @"^\w+"), new("valid_json"),
            new("json_schema", """{"type": "object"}"""), new("length_between", Min: 1, Max: 10),
            new("max_latency_ms", Max: 2000), new("max_cost_usd", Max: 0.05),
        ];

        Assert.Empty(CheckSpecValidation.Validate(specs));
    }

    [Fact]
    public void Validate_RegexThatDoesNotCompile_NamesTheCheckAndTheProblem()
    {
        var errors = CheckSpecValidation.Validate([new("contains", "ok"), new("regex", "([a-z]")]);

        var error = Assert.Single(errors);
        Assert.StartsWith("Check 2 (regex): the pattern does not compile: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownKind_ListsTheKnownKinds()
    {
        var error = Assert.Single(CheckSpecValidation.Validate([new("sentiment")]));

        Assert.StartsWith("Check 1 (sentiment): unknown kind; use one of contains, not_contains, regex,", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SchemaThatIsNotJson_SaysSo()
    {
        var error = Assert.Single(CheckSpecValidation.Validate([new("json_schema", "{type: object}")]));

        Assert.StartsWith("Check 1 (json_schema): the schema is not valid JSON: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SchemaThatIsJsonButNotASchema_SaysSo()
    {
        var error = Assert.Single(CheckSpecValidation.Validate([new("json_schema", """{"type": 5}""")]));

        Assert.StartsWith("Check 1 (json_schema): the schema is not a valid JSON Schema: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SchemaWithARefToNothing_SaysItCannotBeFound()
    {
        Assert.Equal(
            ["Check 1 (json_schema): the schema refers to something it cannot find: Could not resolve 'https://example.com/person.json'."],
            CheckSpecValidation.Validate([new("json_schema", """{"$ref": "https://example.com/person.json"}""")]));
    }

    [Fact]
    public void Validate_SchemaWithAnInvalidPattern_SaysSoWithoutADoubleFullStop()
    {
        var error = Assert.Single(CheckSpecValidation.Validate([new("json_schema", """{"properties": {"a": {"pattern": "(["}}}""")]));

        Assert.StartsWith("Check 1 (json_schema): the schema is not a valid JSON Schema: ", error, StringComparison.Ordinal);
        Assert.EndsWith("set.", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SchemaThatIsAnArray_SaysItMustBeAnObject()
    {
        Assert.Equal(["Check 1 (json_schema): the schema must be a JSON object."], CheckSpecValidation.Validate([new("json_schema", "[1]")]));
    }

    [Fact]
    public void Validate_MinGreaterThanMax_GivesBothNumbers()
    {
        Assert.Equal(
            ["Check 1 (length_between): the minimum (200) is greater than the maximum (10)."],
            CheckSpecValidation.Validate([new("length_between", Min: 200, Max: 10)]));
    }

    [Theory]
    [InlineData("contains", "Check 1 (contains): give the text to look for.")]
    [InlineData("not_contains", "Check 1 (not_contains): give the text to look for.")]
    [InlineData("regex", "Check 1 (regex): give a pattern.")]
    [InlineData("json_schema", "Check 1 (json_schema): give the schema as JSON.")]
    [InlineData("length_between", "Check 1 (length_between): give a minimum, a maximum or both.")]
    [InlineData("max_latency_ms", "Check 1 (max_latency_ms): give the maximum in milliseconds.")]
    [InlineData("max_cost_usd", "Check 1 (max_cost_usd): give the maximum in US dollars.")]
    public void Validate_MissingValueOrLimit_SaysWhatToGive(string kind, string expected)
    {
        Assert.Equal([expected], CheckSpecValidation.Validate([new(kind)]));
    }

    [Fact]
    public void Validate_NegativeOrNotANumberLimit_Rejected()
    {
        var errors = CheckSpecValidation.Validate([new("max_cost_usd", Max: -1), new("max_latency_ms", Max: double.NaN)]);

        Assert.Equal(
            ["Check 1 (max_cost_usd): the maximum (-1) is negative.", "Check 2 (max_latency_ms): the maximum is not a number."],
            errors);
    }

    [Fact]
    public void Validate_SeveralBadChecks_OneMessageEachInOrder()
    {
        var errors = CheckSpecValidation.Validate([new("regex", "("), new("valid_json"), new(""), new("contains")]);

        Assert.Equal(3, errors.Count);
        Assert.StartsWith("Check 1 (regex)", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("Check 3 (no kind): unknown kind", errors[1], StringComparison.Ordinal);
        Assert.StartsWith("Check 4 (contains)", errors[2], StringComparison.Ordinal);
    }
}

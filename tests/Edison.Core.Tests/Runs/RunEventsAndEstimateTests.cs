using System.Text.Json;
using Edison.Core.Events;
using Edison.Core.Runs;

namespace Edison.Core.Tests.Runs;

public sealed class RunEventsAndEstimateTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public void ExperimentEvent_PayloadWithoutCost_ReadsWithNullCost()
    {
        var id = Guid.CreateVersion7();
        var old = $$"""{"experimentId":"{{id}}","iterationId":null,"kind":"progress","status":"executing","done":1,"total":2}""";

        var parsed = JsonSerializer.Deserialize<ExperimentEvent>(old, Json);

        Assert.Equal(new ExperimentEvent(id, null, ExperimentEvent.Progress, "executing", 1, 2), parsed);
        Assert.Null(parsed!.CostUsd);
    }

    [Fact]
    public void ExperimentEvent_WithCost_RoundTripsAsCostUsd()
    {
        var sent = new ExperimentEvent(Guid.CreateVersion7(), Guid.CreateVersion7(), ExperimentEvent.Progress, "judging", 3, 4) { CostUsd = 0.0123m };

        var json = JsonSerializer.Serialize(sent, Json);

        Assert.Contains("\"costUsd\":0.0123", json, StringComparison.Ordinal);
        Assert.Equal(sent, JsonSerializer.Deserialize<ExperimentEvent>(json, Json));
    }

    [Theory]
    [InlineData("0", "$0.00")]
    [InlineData("1.5", "$1.50")]
    [InlineData("0.0012345", "$0.001235")]
    public void Usd_Amount_CentsAndSubCentDigits(string amount, string expected) =>
        Assert.Equal(expected, BudgetGuard.Usd(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void RunEstimate_SpentPlusEstimatePassesBudget_Exceeds()
    {
        RunEstimatePart[] parts = [new(RunEstimatePart.ModelCalls, "m", 2, 100, 512, 0.30m, true), new(RunEstimatePart.PointwiseJudge, "j", 2, 900, 512, 0, false)];

        var estimate = new RunEstimate(parts, 0.30m, ["j"], 1m, 0.75m);

        Assert.True(estimate.ExceedsBudget);
        Assert.False((estimate with { SpentUsd = 0.70m }).ExceedsBudget);
        Assert.False((estimate with { BudgetUsd = null }).ExceedsBudget);
        Assert.Equal("This run will cost about $0.30; $0.75 of the $1.00 budget is spent, $0.25 is left.", estimate.Summary);
        Assert.Equal("Price unknown for models j: their calls are not in the estimate.", estimate.PriceWarning);
    }
}

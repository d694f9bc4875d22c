using System.Globalization;
using System.Text.Json;
using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.Experiments;
using Edison.Core.Runs.Aggregation;
using Edison.Core.Statistics;
using Edison.IntegrationTests.Support;
using Edison.Testing.Simulator;

namespace Edison.IntegrationTests.ClosedLoop;

/// <summary>
/// iterations.summary after aggregation: Edison's figures equal the stored metrics, the refiner model's commentary follows
/// them only when it has no digits, and without a refiner (or with a failing one) the numbers stand alone with a note.
/// </summary>
public sealed class IterationSummaryTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private const string Commentary = "Citing sources lifted every case. Nothing regressed. Check that the citations are real.";

    [Fact]
    public async Task AfterAggregation_SecondIteration_SummaryNumbersEqualTheMetricsAndTheCommentaryFollows()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var world = await ReviewWorld.CreateAsync(fixture, ReviewModes.Autopilot, cts.Token, overrides: r => Summary(r, Commentary));
        var first = await world.FirstIterationToReviewAsync(cts.Token);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        // No parent comparison yet, so autopilot waits for a person on the first suggestion.
        var waiting = await ReviewWorld.LatestSuggestionAsync(connection, first, cts.Token);
        Assert.True((await world.Reviews.ApproveAsync(await world.ReviewerAsync(cts.Token), waiting.Id, "", null, cts.Token)).Accepted);
        var second = await connection.ExecuteScalarAsync<Guid>(new CommandDefinition(
            "SELECT id FROM iterations WHERE experiment_id = @ExperimentId AND number = 2", new { world.ExperimentId }, cancellationToken: cts.Token));
        await world.DriveToReviewAsync(second, cts.Token);

        var row = await connection.QuerySingleAsync<(string Summary, string Metrics, string Comparison, decimal Cost)>(new CommandDefinition("""
            SELECT summary, metrics::text, comparison::text,
                   (SELECT coalesce(sum(cost_usd), 0) FROM llm_calls WHERE iteration_id = i.id AND purpose <> 'summary')
            FROM iterations i WHERE id = @second
            """, new { second }, cancellationToken: cts.Token));
        var metrics = JsonSerializer.Deserialize<IterationMetrics>(row.Metrics, LoopJson.Options)!;
        var comparison = JsonSerializer.Deserialize<VersionComparison>(row.Comparison, LoopJson.Options)!;

        Assert.Equal(SummaryText.Numbers(metrics, comparison, 2, row.Cost) + "\n\n" + Commentary, row.Summary);
        Assert.Contains(F($"composite of {metrics.MeanScore:0.00} (95% CI {metrics.CiLow:0.00} to {metrics.CiHigh:0.00}) over {metrics.N} case(s)"),
            row.Summary, StringComparison.Ordinal);
        Assert.Contains(F($"(n = {comparison.N}): {comparison.MeanDifference:+0.00} (95% CI {comparison.CiLow:0.00} to {comparison.CiHigh:0.00}, p = {comparison.PValue:0.###}), a significant improvement"),
            row.Summary, StringComparison.Ordinal);
        foreach (var model in metrics.PerModel)
        {
            Assert.Contains(F($"{model.Model} {model.MeanScore:0.00} (95% CI {model.CiLow:0.00} to {model.CiHigh:0.00}, n = {model.N})"), row.Summary,
                StringComparison.Ordinal);
        }

        Assert.Contains(F($"Flagged outputs: {metrics.FlagRate!.Count} of {metrics.FlagRate.N}"), row.Summary, StringComparison.Ordinal);
        Assert.Contains(F($"Failed outputs: {metrics.FailedOutputs}; failed verdicts: {metrics.FailedJudgments}"), row.Summary, StringComparison.Ordinal);

        // The first iteration's summary has no comparison; the commentary call was made once per iteration under its key.
        var firstSummary = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT summary FROM iterations WHERE id = @first", new { first }, cancellationToken: cts.Token));
        Assert.DoesNotContain("Against", firstSummary, StringComparison.Ordinal);
        var keys = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT call_key FROM llm_calls WHERE experiment_id = @ExperimentId AND purpose = 'summary' ORDER BY call_key",
            new { world.ExperimentId }, cancellationToken: cts.Token))).ToList();
        Assert.Equal(new[] { $"summary:{first}", $"summary:{second}" }.Order(StringComparer.Ordinal), keys);
    }

    [Fact]
    public async Task AfterAggregation_CommentaryWithDigits_NumbersOnlyWithANote()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var world = await ReviewWorld.CreateAsync(fixture, ReviewModes.EveryIteration, cts.Token,
            overrides: r => Summary(r, "The composite rose to 4.9, a record."));
        var iterationId = await world.FirstIterationToReviewAsync(cts.Token);

        var summary = await SummaryAsync(iterationId, cts.Token);

        Assert.StartsWith("v1 scored a composite of 3.00", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("4.9", summary, StringComparison.Ordinal);
        Assert.EndsWith("(No commentary: the model's commentary contained figures, which only Edison writes.)", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterAggregation_CommentaryCallFails_NumbersOnlyAndTheLoopGoesOn()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var world = await ReviewWorld.CreateAsync(fixture, ReviewModes.EveryIteration, cts.Token,
            overrides: r => IsSummary(r) ? SimStep.Status(400) : null);
        var iterationId = await world.FirstIterationToReviewAsync(cts.Token);

        var summary = await SummaryAsync(iterationId, cts.Token);

        Assert.StartsWith("v1 scored a composite of 3.00", summary, StringComparison.Ordinal);
        Assert.Contains("(No commentary: the commentary call failed", summary, StringComparison.Ordinal);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        Assert.Equal("reviewing", await ReviewWorld.IterationStatusAsync(connection, iterationId, cts.Token));
    }

    [Fact]
    public async Task AfterAggregation_NoRefinerModel_NumbersOnlySummaryStored()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var world = await ReviewWorld.CreateAsync(fixture, ReviewModes.EveryIteration, cts.Token, adjust: d => d with { Refiner = new RefinerConfig() });
        var iterationId = await IterationDriver.RunAsync(world.Services, world.ExperimentId, cts.Token);

        var summary = await SummaryAsync(iterationId, cts.Token);

        // Thirty cases that all scored 3 do not prove every case would: the interval keeps a width (ScoreInterval).
        var ci = ScoreInterval.Mean(Enumerable.Repeat(3.0, 30).ToList(), 1, 5);
        Assert.StartsWith(F($"v1 scored a composite of 3.00 (95% CI {ci.Low:0.00} to {ci.High:0.00}) over 30 case(s)."), summary, StringComparison.Ordinal);
        Assert.True(ci.Low < 3 && ci.High > 3);
        Assert.EndsWith(".", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("No commentary", summary, StringComparison.Ordinal);
        Assert.DoesNotContain(world.Tenant.Requests, IsSummary);
    }

    private async Task<string> SummaryAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        var summary = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT summary FROM iterations WHERE id = @iterationId", new { iterationId }, cancellationToken: cancellationToken));
        Assert.NotNull(summary);
        return summary;
    }

    private static bool IsSummary(SimRequest request) =>
        request.Messages.Any(m => m.Role == "system" && m.Text == IterationSummaryWriter.Instructions);

    private static SimStep? Summary(SimRequest request, string commentary) => IsSummary(request) ? SimStep.Reply(commentary) : null;

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

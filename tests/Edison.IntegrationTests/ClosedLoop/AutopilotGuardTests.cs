using System.Text.Json;
using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.Experiments;
using Edison.Core.Runs;
using Edison.IntegrationTests.Support;

namespace Edison.IntegrationTests.ClosedLoop;

/// <summary>
/// When the loop applies a suggestion without a person (ReviewService.TryAutoApplyAsync), and when it waits: autopilot
/// waits once the safety-flag rate rose significantly even though the score improved; "only when significant" applies a
/// change that was not significant and waits for one that was.
/// </summary>
public sealed class AutopilotGuardTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task TryAutoApplyAsync_Autopilot_FlagRateRoseSignificantly_WaitsForReviewDespiteTheImprovement()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var world = await ReviewWorld.CreateAsync(fixture, ReviewModes.Autopilot, cts.Token, flagSourced: true);
        var first = await world.FirstIterationToReviewAsync(cts.Token);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);

        await ApproveFirstByAPersonAsync(world, connection, first, cts.Token);
        var second = await SecondIterationAsync(connection, world.ExperimentId, cts.Token);

        await world.DriveToReviewAsync(second, cts.Token);

        var comparison = await ComparisonAsync(connection, second, cts.Token);
        Assert.True(comparison.SignificantImprovement, $"difference {comparison.MeanDifference}, p {comparison.PValue}");
        Assert.True(comparison.FlagRateRose, $"flag rate difference {comparison.FlagRateDifference}, p {comparison.FlagRatePValue}");
        Assert.Equal(IterationStatus.Reviewing, await ReviewWorld.IterationStatusAsync(connection, second, cts.Token));
        var waiting = await ReviewWorld.LatestSuggestionAsync(connection, second, cts.Token);
        Assert.Equal(("pending", false), (waiting.Status, waiting.AutoApplied));

        // Asking again (the coordinator does after a crash) still waits.
        Assert.Null(await world.Reviews.TryAutoApplyAsync(second, cts.Token));
        Assert.Equal("pending", (await ReviewWorld.LatestSuggestionAsync(connection, second, cts.Token)).Status);
    }

    [Fact]
    public async Task TryAutoApplyAsync_Autopilot_ImprovementWithoutMoreFlags_AppliesItself()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var world = await ReviewWorld.CreateAsync(fixture, ReviewModes.Autopilot, cts.Token);
        var first = await world.FirstIterationToReviewAsync(cts.Token);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        await ApproveFirstByAPersonAsync(world, connection, first, cts.Token);
        var second = await SecondIterationAsync(connection, world.ExperimentId, cts.Token);

        await world.DriveToReviewAsync(second, cts.Token);

        var comparison = await ComparisonAsync(connection, second, cts.Token);
        Assert.True(comparison.SignificantImprovement);
        Assert.False(comparison.FlagRateRose);
        var suggestion = await ReviewWorld.LatestSuggestionAsync(connection, second, cts.Token);
        Assert.Equal(("approved", true), (suggestion.Status, suggestion.AutoApplied));
    }

    [Fact]
    public async Task TryAutoApplyAsync_OnlySignificant_SignificantChangeWaitsForReview()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var world = await ReviewWorld.CreateAsync(fixture, ReviewModes.OnlySignificant, cts.Token);
        var first = await world.FirstIterationToReviewAsync(cts.Token);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        Assert.Equal(("approved", true), ((await ReviewWorld.LatestSuggestionAsync(connection, first, cts.Token)).Status,
            (await ReviewWorld.LatestSuggestionAsync(connection, first, cts.Token)).AutoApplied));
        var second = await SecondIterationAsync(connection, world.ExperimentId, cts.Token);

        await world.DriveToReviewAsync(second, cts.Token);

        Assert.True((await ComparisonAsync(connection, second, cts.Token)).SignificantImprovement);
        Assert.Equal(IterationStatus.Reviewing, await ReviewWorld.IterationStatusAsync(connection, second, cts.Token));
        var waiting = await ReviewWorld.LatestSuggestionAsync(connection, second, cts.Token);
        Assert.Equal(("pending", false), (waiting.Status, waiting.AutoApplied));
        Assert.Null(await world.Reviews.TryAutoApplyAsync(second, cts.Token));
    }

    [Fact]
    public async Task TryAutoApplyAsync_OnlySignificant_ChangeNotSignificant_AppliesItself()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var world = await ReviewWorld.CreateAsync(fixture, ReviewModes.OnlySignificant, cts.Token, flatScores: true);
        await world.FirstIterationToReviewAsync(cts.Token);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var second = await SecondIterationAsync(connection, world.ExperimentId, cts.Token);

        await world.DriveToReviewAsync(second, cts.Token);

        var comparison = await ComparisonAsync(connection, second, cts.Token);
        Assert.False(comparison.SignificantImprovement || comparison.SignificantRegression);
        var suggestion = await ReviewWorld.LatestSuggestionAsync(connection, second, cts.Token);
        Assert.Equal(("approved", true), (suggestion.Status, suggestion.AutoApplied));
        Assert.Equal(IterationStatus.Completed, await ReviewWorld.IterationStatusAsync(connection, second, cts.Token));
    }

    // The first iteration has no parent to compare with, so autopilot waits for a person, who approves it to start the second.
    private static async Task ApproveFirstByAPersonAsync(ReviewWorld world, Npgsql.NpgsqlConnection connection, Guid first,
        CancellationToken cancellationToken)
    {
        var waiting = await ReviewWorld.LatestSuggestionAsync(connection, first, cancellationToken);
        Assert.Equal(("pending", false), (waiting.Status, waiting.AutoApplied));
        Assert.Null(await world.Reviews.TryAutoApplyAsync(first, cancellationToken));
        var decision = await world.Reviews.ApproveAsync(await world.ReviewerAsync(cancellationToken), waiting.Id, "", null, cancellationToken);
        Assert.True(decision.Accepted, decision.Error);
    }

        private static async Task<Guid> SecondIterationAsync(Npgsql.NpgsqlConnection connection, Guid experimentId, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<Guid>(new CommandDefinition(
            "SELECT id FROM iterations WHERE experiment_id = @experimentId AND number = 2", new { experimentId }, cancellationToken: cancellationToken));

    private static async Task<VersionComparison> ComparisonAsync(Npgsql.NpgsqlConnection connection, Guid iterationId, CancellationToken cancellationToken)
    {
        var text = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT comparison::text FROM iterations WHERE id = @iterationId", new { iterationId }, cancellationToken: cancellationToken));
        Assert.NotNull(text);
        return JsonSerializer.Deserialize<VersionComparison>(text, Json)!;
    }
}

using System.Text.Json;
using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.Experiments;
using Edison.Core.Runs;
using Edison.Core.Runs.Aggregation;
using Edison.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.ClosedLoop;

/// <summary>
/// The human in the loop against real PostgreSQL, with the loop driven in-process to a suggestion waiting for review:
/// approve, edit then approve, reject, request changes, a double approval, stop, and a person's ratings as a human judge.
/// </summary>
public sealed class ReviewServiceTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task ApproveAsync_PendingSuggestion_CreatesNextVersionWithParentChangelogApproverAndStartsItsIteration()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var world = await ReviewWorld.CreateAsync(fixture, ReviewModes.EveryIteration, cts.Token);
        var iterationId = await world.FirstIterationToReviewAsync(cts.Token);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        Assert.Equal(IterationStatus.Reviewing, await ReviewWorld.IterationStatusAsync(connection, iterationId, cts.Token));
        var suggestion = await ReviewWorld.LatestSuggestionAsync(connection, iterationId, cts.Token);
        Assert.Equal("pending", suggestion.Status);
        var reviewerActor = await world.ReviewerAsync(cts.Token);
        var reviewer = reviewerActor.UserId;

        var decision = await world.Reviews.ApproveAsync(reviewerActor, suggestion.Id, "Ask for sources, as the judges said.", null, cts.Token);

        Assert.True(decision.Accepted, decision.Error);
        var version = await connection.QuerySingleAsync<(int Version, Guid? ParentId, string Changelog, Guid? ApprovedBy, string SystemText, Guid? SuggestionId)>(
            new CommandDefinition("""
                SELECT version, parent_id, changelog, approved_by, system_text, suggestion_id FROM prompt_versions WHERE id = @NewVersionId
                """, new { decision.NewVersionId }, cancellationToken: cts.Token));
        var v1 = await connection.ExecuteScalarAsync<Guid>(new CommandDefinition(
            "SELECT prompt_version_id FROM iterations WHERE id = @iterationId", new { iterationId }, cancellationToken: cts.Token));
        Assert.Equal((2, v1, "Ask for sources, as the judges said.", reviewer, suggestion.Id),
            (version.Version, version.ParentId, version.Changelog, version.ApprovedBy, version.SuggestionId));
        Assert.Contains(ClosedLoopScenario.CiteInstruction, version.SystemText, StringComparison.Ordinal);

        var next = await connection.QuerySingleAsync<(Guid PromptVersionId, Guid? ParentIterationId, int Number, string Status)>(new CommandDefinition(
            "SELECT prompt_version_id, parent_iteration_id, number, status FROM iterations WHERE id = @NextIterationId",
            new { decision.NextIterationId }, cancellationToken: cts.Token));
        Assert.Equal((decision.NewVersionId!.Value, (Guid?)iterationId, 2), (next.PromptVersionId, next.ParentIterationId, next.Number));
        Assert.Equal(IterationStatus.Completed, await ReviewWorld.IterationStatusAsync(connection, iterationId, cts.Token));
        var decided = await connection.QuerySingleAsync<(string Status, Guid? DecidedBy, Guid? ProposedVersionId, bool AutoApplied)>(new CommandDefinition(
            "SELECT status, decided_by, proposed_version_id, auto_applied FROM suggestions WHERE id = @Id", new { suggestion.Id },
            cancellationToken: cts.Token));
        Assert.Equal(("approved", (Guid?)reviewer, decision.NewVersionId, false), decided);
        var review = await connection.QuerySingleAsync<(string Decision, Guid? ReviewerId)>(new CommandDefinition(
            "SELECT decision, reviewer_id FROM reviews WHERE suggestion_id = @Id", new { suggestion.Id }, cancellationToken: cts.Token));
        Assert.Equal(("approve", (Guid?)reviewer), review);
    }

    [Fact]
    public async Task ApproveAsync_WithEdit_RefusesDroppingACaseVariableInWordsThenStoresTheEditedText()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var world = await ReviewWorld.CreateAsync(fixture, ReviewModes.EveryIteration, cts.Token);
        var iterationId = await world.FirstIterationToReviewAsync(cts.Token);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var suggestion = await ReviewWorld.LatestSuggestionAsync(connection, iterationId, cts.Token);
        var reviewerActor = await world.ReviewerAsync(cts.Token);
        var reviewer = reviewerActor.UserId;

        var dropped = await world.Reviews.ApproveAsync(reviewerActor, suggestion.Id, "", new SuggestionEdit("Answer briefly.", null), cts.Token);

        Assert.False(dropped.Accepted);
        Assert.Contains("{{ question }}", dropped.Error, StringComparison.Ordinal);
        Assert.Contains("cases fill in", dropped.Error, StringComparison.Ordinal);
        Assert.Equal("pending", (await ReviewWorld.LatestSuggestionAsync(connection, iterationId, cts.Token)).Status);

        const string Edited = "Answer briefly and name your source: {{ question }}";
        const string EditedSystem = "You are terse. Cite the source. Never invent one.";
        var approved = await world.Reviews.ApproveAsync(reviewerActor, suggestion.Id, "Tightened the wording.", new SuggestionEdit(Edited, EditedSystem),
            cts.Token);

        Assert.True(approved.Accepted, approved.Error);
        var version = await connection.QuerySingleAsync<(string Template, string SystemText)>(new CommandDefinition(
            "SELECT template, system_text FROM prompt_versions WHERE id = @NewVersionId", new { approved.NewVersionId }, cancellationToken: cts.Token));
        Assert.Equal((Edited, EditedSystem), version);
        var review = await connection.QuerySingleAsync<(string Decision, string? EditedText)>(new CommandDefinition(
            "SELECT decision, edited_text FROM reviews WHERE suggestion_id = @Id", new { suggestion.Id }, cancellationToken: cts.Token));
        Assert.Equal(("edit_approve", Edited), review);
    }

    [Fact]
    public async Task RejectAsync_WithNote_BackToRefiningAndTheNoteReachesTheRefinersNextDiagnosis()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var world = await ReviewWorld.CreateAsync(fixture, ReviewModes.EveryIteration, cts.Token);
        var iterationId = await world.FirstIterationToReviewAsync(cts.Token);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var first = await ReviewWorld.LatestSuggestionAsync(connection, iterationId, cts.Token);
        const string Note = "Do not just cite; say which year each event happened.";
        Assert.DoesNotContain(world.Tenant.Requests, r => r.Messages.Any(m => m.Text.Contains(Note, StringComparison.Ordinal)));

        var rejected = await world.Reviews.RejectAsync(await world.ReviewerAsync(cts.Token), first.Id, Note, cts.Token);

        Assert.True(rejected.Accepted, rejected.Error);
        Assert.Equal(IterationStatus.Refining, await ReviewWorld.IterationStatusAsync(connection, iterationId, cts.Token));
        Assert.Equal("rejected", (await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT status FROM suggestions WHERE id = @Id", new { first.Id }, cancellationToken: cts.Token))));
        Assert.Contains(fixture.Jobs.Requests, j => j.Key.StartsWith($"refine:{iterationId}:", StringComparison.Ordinal));

        await fixture.Services.GetRequiredService<RefinementService>().RefineAsync(iterationId, cts.Token);

        var second = await ReviewWorld.LatestSuggestionAsync(connection, iterationId, cts.Token);
        Assert.Equal((2, "pending"), (second.Attempt, second.Status));
        Assert.Equal(IterationStatus.Reviewing, await ReviewWorld.IterationStatusAsync(connection, iterationId, cts.Token));
        var diagnoses = world.Tenant.Requests.Where(r => r.SchemaName == "RefinerDiagnosis").ToList();
        Assert.Equal(2, diagnoses.Count);
        Assert.DoesNotContain(diagnoses[0].Messages, m => m.Text.Contains(Note, StringComparison.Ordinal));
        Assert.Contains(diagnoses[1].Messages, m => m.Text.Contains(Note, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RequestChangesAsync_WithNote_RefinerTriesAgainWithTheNote_AndAnEmptyNoteIsRefused()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var world = await ReviewWorld.CreateAsync(fixture, ReviewModes.EveryIteration, cts.Token);
        var iterationId = await world.FirstIterationToReviewAsync(cts.Token);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var first = await ReviewWorld.LatestSuggestionAsync(connection, iterationId, cts.Token);

        var empty = await world.Reviews.RequestChangesAsync(await world.ReviewerAsync(cts.Token), first.Id, "  ", cts.Token);
        Assert.False(empty.Accepted);
        Assert.Contains("note", empty.Error, StringComparison.Ordinal);

        const string Note = "Keep the citation but put it at the end of the answer.";
        var requested = await world.Reviews.RequestChangesAsync(await world.ReviewerAsync(cts.Token), first.Id, Note, cts.Token);
        Assert.True(requested.Accepted, requested.Error);
        Assert.Equal(IterationStatus.Refining, await ReviewWorld.IterationStatusAsync(connection, iterationId, cts.Token));

        await fixture.Services.GetRequiredService<RefinementService>().RefineAsync(iterationId, cts.Token);

        var second = await ReviewWorld.LatestSuggestionAsync(connection, iterationId, cts.Token);
        Assert.Equal((2, "pending"), (second.Attempt, second.Status));
        Assert.Equal("changes_requested", await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT status FROM suggestions WHERE id = @Id", new { first.Id }, cancellationToken: cts.Token)));
        var lastDiagnosis = world.Tenant.Requests.Last(r => r.SchemaName == "RefinerDiagnosis");
        Assert.Contains(lastDiagnosis.Messages, m => m.Text.Contains(Note, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ApproveAsync_Twice_SecondIsRefusedAndNothingIsCreatedTwice()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var world = await ReviewWorld.CreateAsync(fixture, ReviewModes.EveryIteration, cts.Token);
        var iterationId = await world.FirstIterationToReviewAsync(cts.Token);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var suggestion = await ReviewWorld.LatestSuggestionAsync(connection, iterationId, cts.Token);

        var first = await world.Reviews.ApproveAsync(await world.ReviewerAsync(cts.Token), suggestion.Id, "", null, cts.Token);
        var second = await world.Reviews.ApproveAsync(await world.ReviewerAsync(cts.Token), suggestion.Id, "", null, cts.Token);

        Assert.True(first.Accepted, first.Error);
        Assert.False(second.Accepted);
        Assert.Equal("This suggestion was already decided.", second.Error);
        var counts = await connection.QuerySingleAsync<(int Versions, int Iterations)>(new CommandDefinition("""
            SELECT (SELECT count(*)::int FROM prompt_versions WHERE experiment_id = @ExperimentId),
                   (SELECT count(*)::int FROM iterations WHERE experiment_id = @ExperimentId)
            """, new { world.ExperimentId }, cancellationToken: cts.Token));
        Assert.Equal((2, 2), counts);
    }

    [Fact]
    public async Task StopAsync_AtReview_EndsTheLoopWithTheReasonAndSupersedesTheSuggestion()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var world = await ReviewWorld.CreateAsync(fixture, ReviewModes.EveryIteration, cts.Token);
        var iterationId = await world.FirstIterationToReviewAsync(cts.Token);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var suggestion = await ReviewWorld.LatestSuggestionAsync(connection, iterationId, cts.Token);
        var reviewerActor = await world.ReviewerAsync(cts.Token);
        var reviewer = reviewerActor.UserId;

        var stopped = await world.Reviews.StopAsync(reviewerActor, iterationId, cts.Token);
        var again = await world.Reviews.StopAsync(reviewerActor, iterationId, cts.Token);

        Assert.True(stopped.Accepted, stopped.Error);
        Assert.False(again.Accepted);
        var experiment = await connection.QuerySingleAsync<(string Status, string? StopReason, string? StopDetails)>(new CommandDefinition(
            "SELECT status, stop_reason, stop_details::text FROM experiments WHERE id = @ExperimentId", new { world.ExperimentId },
            cancellationToken: cts.Token));
        Assert.Equal(("stopped", "Stopped by a reviewer."), (experiment.Status, experiment.StopReason));
        Assert.Equal("reviewer", JsonSerializer.Deserialize<StopDecision>(experiment.StopDetails!, Json)!.Rule);
        Assert.Equal(IterationStatus.Completed, await ReviewWorld.IterationStatusAsync(connection, iterationId, cts.Token));
        Assert.Equal("superseded", (await ReviewWorld.LatestSuggestionAsync(connection, iterationId, cts.Token)).Status);
        Assert.False((await world.Reviews.ApproveAsync(reviewerActor, suggestion.Id, "", null, cts.Token)).Accepted);
    }

    [Fact]
    public async Task RateOutputAsync_TwoOutputsRated_HumansShownBesideTheJuryAndHumanAlphaAppears()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var world = await ReviewWorld.CreateAsync(fixture, ReviewModes.EveryIteration, cts.Token);
        var iterationId = await world.FirstIterationToReviewAsync(cts.Token);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var raterActor = await world.ReviewerAsync(cts.Token);
        var rater = raterActor.UserId;
        var outputs = (await connection.QueryAsync<Guid>(new CommandDefinition("""
            SELECT o.id FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id WHERE mr.iteration_id = @iterationId ORDER BY o.id LIMIT 2
            """, new { iterationId }, cancellationToken: cts.Token))).ToList();
        var before = await MetricsAsync(connection, iterationId, cts.Token);
        Assert.Null(before.PerCriterion.Single().HumanAlpha);

        var refused = await world.Reviews.RateOutputAsync(raterActor, outputs[0], new Dictionary<string, int> { [ClosedLoopScenario.Criterion] = 9 }, "",
            cts.Token);
        Assert.False(refused.Accepted);
        Assert.Contains("1–5", refused.Error, StringComparison.Ordinal);

        var one = await world.Reviews.RateOutputAsync(raterActor, outputs[0], new Dictionary<string, int> { [ClosedLoopScenario.Criterion] = 1 },
            "Not sourced at all.", cts.Token);
        Assert.True(one.Accepted, one.Error);
        var afterOne = await MetricsAsync(connection, iterationId, cts.Token);
        Assert.Null(afterOne.PerCriterion.Single().HumanAlpha);
        Assert.Equal(before.MeanScore, afterOne.MeanScore);
        Assert.Equal(1, afterOne.HumanRatings!.RatedOutputs);
        Assert.Equal(1, afterOne.HumanRatings.MeanScore);

        var two = await world.Reviews.RateOutputAsync(raterActor, outputs[1], new Dictionary<string, int> { [ClosedLoopScenario.Criterion] = 5 }, "",
            cts.Token);
        Assert.True(two.Accepted, two.Error);
        var afterTwo = await MetricsAsync(connection, iterationId, cts.Token);
        Assert.NotNull(afterTwo.PerCriterion.Single().HumanAlpha);
        Assert.Equal(before.MeanScore, afterTwo.MeanScore);
        Assert.Equal((2, 3.0, false), (afterTwo.HumanRatings!.RatedOutputs, afterTwo.HumanRatings.MeanScore, afterTwo.HumanRatings.JoinScore));
        var judgments = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*)::int FROM judgments WHERE iteration_id = @iterationId AND mode = 'human' AND created_by = @rater",
            new { iterationId, rater }, cancellationToken: cts.Token));
        Assert.Equal(2, judgments);
    }

    private static async Task<IterationMetrics> MetricsAsync(Npgsql.NpgsqlConnection connection, Guid iterationId, CancellationToken cancellationToken) =>
        JsonSerializer.Deserialize<IterationMetrics>((await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT metrics::text FROM iterations WHERE id = @iterationId", new { iterationId }, cancellationToken: cancellationToken)))!,
            Core.ClosedLoop.LoopJson.Options)!;
}

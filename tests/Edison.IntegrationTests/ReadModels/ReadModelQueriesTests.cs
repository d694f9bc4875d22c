using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.Experiments;
using Edison.Core.Llm;
using Edison.Core.ReadModels;
using Edison.Core.Runs;
using Edison.IntegrationTests.ClosedLoop;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Microsoft.Extensions.DependencyInjection;
using Edison.Core.Security;

namespace Edison.IntegrationTests.ReadModels;

/// <summary>
/// The pages' read models on a real loop: one iteration waits for review with a refiner suggestion; the overview, the
/// iteration header, every results filter, an output's judgments and the suggestion read back what the loop wrote.
/// </summary>
public sealed class ReadModelQueriesTests(WorkerLoopFixture fixture) : IClassFixture<WorkerLoopFixture>
{
    private const int Cases = 6;

    [Fact]
    public async Task Queries_IterationWaitingForReview_ReadOverviewResultsJudgmentsAndSuggestionThenV2AfterApproval()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var services = fixture.Services;
        var experiments = services.GetRequiredService<ExperimentService>();
        var tenant = fixture.Simulator.CreateTenant().Otherwise(ClosedLoopScenario.Respond);
        var projectId = await experiments.DefaultProjectIdAsync(cts.Token);
        var credential = await services.GetRequiredService<CredentialService>()
            .CreateAsync(await TestActors.OwnerAsync(services, cts.Token),
                projectId, ClosedLoopScenario.Credential(fixture.Simulator, tenant), cts.Token);
        var (experimentId, _) = await experiments.CreateAsync(await TestActors.OwnerAsync(services, cts.Token),
            ClosedLoopScenario.Definition(credential.Id!.Value, Cases, ReviewModes.EveryIteration, new StopRules { MaxIterations = 3 }), cts.Token);
        var started = await services.GetRequiredService<IterationService>().StartAsync(await TestActors.OwnerOnAsync(services, ResourceKinds.Experiment, experimentId!.Value, cts.Token), experimentId!.Value, cts.Token);
        var iterationId = started.IterationId!.Value;

        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        await Poll.UntilAsync("the iteration to wait for review",
            ct => connection.ExecuteScalarAsync<string>(new CommandDefinition("SELECT status FROM iterations WHERE id = @iterationId",
                new { iterationId }, cancellationToken: ct))!, s => s is IterationStatus.Reviewing or IterationStatus.Failed, cts.Token);

        var overviews = services.GetRequiredService<ExperimentOverviewQuery>();
        var overview = (await overviews.GetAsync(experimentId.Value, cts.Token))!;
        Assert.Equal("v1", $"v{Assert.Single(overview.Versions).Version}");
        Assert.Equal("Seed prompt", overview.Versions[0].Origin);
        var point = Assert.Single(overview.Iterations);
        Assert.Equal(3.0, point.Metrics!.MeanScore);
        Assert.Equal(2, point.Metrics.PerModel.Count);
        Assert.True(overview.TotalCostUsd >= 0);
        var pending = Assert.Single(overview.PendingSuggestions);
        Assert.Contains(await overviews.ListPendingAsync(projectId, cts.Token), p => p.Id == pending.Id);
        Assert.DoesNotContain(await overviews.ListPendingAsync(Guid.NewGuid(), cts.Token), p => p.Id == pending.Id);

        var insights = services.GetRequiredService<IterationInsightsQuery>();
        var header = (await insights.GetHeaderAsync(iterationId, cts.Token))!;
        Assert.Equal(pending.Id, header.PendingSuggestionId);
        Assert.Contains(header.Phases, p => p.Purpose == "judge" && p.Calls > 0);
        Assert.Equal(["geography", "history"], header.Tags);

        var all = await insights.GetResultsAsync(iterationId, new ResultsFilter(), cts.Token);
        Assert.Equal(Cases * ClosedLoopScenario.Models.Length, all.Total);
        Assert.All(all.Rows, r => Assert.Equal(3.0, r.Score));
        Assert.Equal(Cases * 2, (await insights.GetResultsAsync(iterationId, new ResultsFilter { Criterion = ClosedLoopScenario.Criterion, Below = 4 },
            cts.Token)).Total);
        Assert.Equal(0, (await insights.GetResultsAsync(iterationId, new ResultsFilter { Criterion = ClosedLoopScenario.Criterion, Below = 3 },
            cts.Token)).Total);
        Assert.Equal(2 * 2, (await insights.GetResultsAsync(iterationId, new ResultsFilter { Tag = "geography" }, cts.Token)).Total);
        foreach (var empty in new[]
                 {
                     new ResultsFilter { Failures = true }, new ResultsFilter { Disagreement = true }, new ResultsFilter { Flagged = true },
                     new ResultsFilter { CutOff = true }, new ResultsFilter { Split = "nonexistent" },
                 })
        {
            Assert.Equal(0, (await insights.GetResultsAsync(iterationId, empty, cts.Token)).Total);
        }

        var output = (await insights.GetOutputAsync(all.Rows[0].OutputId!.Value, cts.Token))!;
        Assert.Contains(output.Judgments, j => j.Mode == "pointwise" && j.Reasoning.Length > 0 && j.Scores[ClosedLoopScenario.Criterion] == 3);
        Assert.Contains(output.Judgments, j => j.Mode == "pairwise");

        var suggestion = (await services.GetRequiredService<SuggestionReviewQuery>().GetAsync(pending.Id, cts.Token))!;
        Assert.True(suggestion.IsPending);
        Assert.Matches(@"(?m)^\+.*Cite the source\.", suggestion.UnifiedDiff);
        Assert.NotEmpty(suggestion.Hypotheses);
        Assert.NotEmpty(suggestion.Steps);
        Assert.Equal([ClosedLoopScenario.Criterion], suggestion.TargetCriteria);

        var decision = await services.GetRequiredService<ReviewService>().ApproveAsync(await TestActors.OwnerAsync(services, cts.Token),
            pending.Id, "", null, cts.Token);
        Assert.True(decision.Accepted, decision.Error);
        overview = (await overviews.GetAsync(experimentId.Value, cts.Token))!;
        Assert.Equal([1, 2], overview.Versions.Select(v => v.Version));
        Assert.Equal("Approved by Test actor", overview.Versions[1].Origin);
        Assert.Equal(1, overview.Versions[1].ParentVersion);
        Assert.Equal(2, overview.Iterations[^1].Version);
        Assert.Empty(overview.PendingSuggestions);
        await services.GetRequiredService<IterationService>().CancelAsync(await TestActors.OwnerAsync(services, cts.Token),
            decision.NextIterationId!.Value, cts.Token);
    }
}

using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.Experiments;
using Edison.Core.ReadModels;
using Edison.Core.Runs;
using Edison.Core.Security;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.ClosedLoop;

/// <summary>
/// An iteration whose verdicts are mostly unusable ends "judging failed": 12 cases × 2 models × 2 pointwise judges are 48
/// verdicts; with all 48 unparseable, or all but one, nothing is aggregated, no suggestion is drafted and nobody is asked to
/// review, and the page's read model names the counts, the first errors and what the judges answered.
/// </summary>
public sealed class JudgingFailedTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private const string Prose = "The answer looks fine to me, I would give it a four.";

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Advance_FewerThanHalfTheVerdictsValid_EndsJudgingFailedWithNoSuggestionAndNoReview(int validVerdicts)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var seen = 0;
        var world = await ReviewWorld.CreateAsync(fixture, ReviewModes.Autopilot, cts.Token,
            overrides: r => LargeModelAnswer(r) ?? (r.SchemaName == "PointwiseVerdict" && Interlocked.Increment(ref seen) > validVerdicts ? SimStep.Reply(Prose) : null),
            adjust: d => d with { Cases = [.. d.Cases.Take(12)] });

        var iterationId = await IterationDriver.RunAsync(world.Services, world.ExperimentId, cts.Token);

        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var row = await connection.QuerySingleAsync<(string Status, bool Aggregated, string? Error, int Suggestions, int Valid, int Failed)>(
            new CommandDefinition("""
                SELECT i.status, i.metrics IS NOT NULL, i.error,
                       (SELECT count(*)::int FROM suggestions WHERE iteration_id = i.id),
                       (SELECT count(*)::int FROM judgments WHERE iteration_id = i.id AND mode = 'pointwise' AND status = 'succeeded'),
                       (SELECT count(*)::int FROM judgments WHERE iteration_id = i.id AND mode = 'pointwise' AND status = 'failed')
                FROM iterations i WHERE i.id = @iterationId
                """, new { iterationId }, cancellationToken: cts.Token));
        Assert.Equal((IterationStatus.JudgingFailed, false, 0), (row.Status, row.Aggregated, row.Suggestions));
        Assert.Equal((validVerdicts, 48 - validVerdicts), (row.Valid, row.Failed));
        Assert.StartsWith($"Judging failed: only {validVerdicts} of 48 verdicts were valid", row.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(world.Tenant.Requests, r => r.SchemaName?.StartsWith("Refiner", StringComparison.Ordinal) == true);

        // Asking again (the sweeper does) changes nothing.
        await world.Services.GetRequiredService<IterationCoordinator>().AdvanceAsync(iterationId, cts.Token);
        Assert.Equal(IterationStatus.JudgingFailed, await ReviewWorld.IterationStatusAsync(connection, iterationId, cts.Token));

        var failures = await world.Services.GetRequiredService<IterationInsightsQuery>().GetJudgingFailuresAsync(iterationId, 5, cts.Token);
        Assert.Equal(2, failures.Judges.Count);
        Assert.Equal((validVerdicts, 48 - validVerdicts), (failures.Judges.Sum(j => j.Valid), failures.Judges.Sum(j => j.Failed)));
        Assert.Equal(5, failures.FirstFailures.Count);
        Assert.All(failures.FirstFailures, f => Assert.Contains(Prose, f.RawAnswer, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RejudgeAsync_JudgingFailed_SendsExactlyTheFailedVerdictsAgainAndTheIterationCompletes()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var seen = 0;
        var failing = 1;
        var world = await ReviewWorld.CreateAsync(fixture, ReviewModes.EveryIteration, cts.Token,
            overrides: r => LargeModelAnswer(r) ?? (r.SchemaName == "PointwiseVerdict" && Volatile.Read(ref failing) == 1 && Interlocked.Increment(ref seen) > 1
                ? SimStep.Reply(Prose) : null),
            adjust: d => d with { Cases = [.. d.Cases.Take(12)], Refiner = new RefinerConfig() });
        var iterationId = await IterationDriver.RunAsync(world.Services, world.ExperimentId, cts.Token);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        Assert.Equal(IterationStatus.JudgingFailed, await ReviewWorld.IterationStatusAsync(connection, iterationId, cts.Token));
        var failedVerdicts = await connection.QueryAsync<(Guid OutputId, Guid JudgeConfigId)>(new CommandDefinition(
            "SELECT output_id, judge_config_id FROM judgments WHERE iteration_id = @iterationId AND status = 'failed'", new { iterationId },
            cancellationToken: cts.Token));
        var earlier = world.Tenant.Requests.Where(r => r.SchemaName == "PointwiseVerdict").Select(Text).ToHashSet(StringComparer.Ordinal);
        var before = world.Tenant.Requests.Count;
        Volatile.Write(ref failing, 0);

        var services = world.Services;
        Assert.True(await services.GetRequiredService<IterationService>().RejudgeAsync(
            await TestActors.OwnerOnAsync(services, ResourceKinds.Experiment, world.ExperimentId, cts.Token), iterationId, cts.Token));
        var coordinator = services.GetRequiredService<IterationCoordinator>();
        await coordinator.AdvanceAsync(iterationId, cts.Token);
        foreach (var (judgeConfigId, modelRunId, from, count, _) in await services.GetRequiredService<WorkProgress>()
                     .IncompleteJudgeChunksAsync(iterationId, cts.Token))
        {
            await services.GetRequiredService<JudgeRunner>().JudgeChunkAsync(iterationId, judgeConfigId, modelRunId, from, count, cts.Token);
        }

        await coordinator.AdvanceAsync(iterationId, cts.Token);

        // Exactly the 47 failed verdicts went out again, each the same request as before (none of the valid one, no pairwise,
        // no model call), under new keys: none was answered from the response cache or a recorded call.
        var again = world.Tenant.Requests.Skip(before).ToList();
        Assert.Equal(47, failedVerdicts.Count());
        Assert.Equal(47, again.Count);
        Assert.All(again, r => Assert.Equal("PointwiseVerdict", r.SchemaName));
        Assert.All(again, r => Assert.Contains(Text(r), earlier));
        var row = await connection.QuerySingleAsync<(string Status, bool Aggregated, int Valid, int Generation)>(new CommandDefinition("""
            SELECT status, metrics IS NOT NULL, (SELECT count(*)::int FROM judgments WHERE iteration_id = i.id AND mode = 'pointwise' AND status = 'succeeded'),
                   judge_generation
            FROM iterations i WHERE id = @iterationId
            """, new { iterationId }, cancellationToken: cts.Token));
        Assert.Equal((IterationStatus.Completed, true, 48, 1), row);
        Assert.Equal(47, await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*)::int FROM llm_calls WHERE iteration_id = @iterationId AND call_key LIKE '%:pointwise:g1'", new { iterationId },
            cancellationToken: cts.Token)));
    }

    // The two models would otherwise answer a case alike, and a judge's cached verdict on one answer would serve the other's.
    private static SimStep? LargeModelAnswer(SimRequest request) =>
        request.SchemaName is null && request.Model == "model-large" ? SimStep.Reply("From the large model: see the help centre.") : null;

    private static string Text(SimRequest request) => string.Join("\n", request.Messages.Select(m => m.Text));
}

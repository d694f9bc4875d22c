using Dapper;
using Edison.Core.Experiments;
using Edison.Core.ReadModels;
using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
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
            overrides: r => r.SchemaName == "PointwiseVerdict" && Interlocked.Increment(ref seen) > validVerdicts ? SimStep.Reply(Prose) : null,
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
}

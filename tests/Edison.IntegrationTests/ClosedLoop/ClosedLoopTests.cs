using System.Text.Json;
using Dapper;
using Edison.Core.Experiments;
using Edison.Core.Llm;
using Edison.Core.ClosedLoop;
using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using Edison.Core.Security;

namespace Edison.IntegrationTests.ClosedLoop;

/// <summary>
/// The whole loop below the UI with a real worker process, PostgreSQL, Redis and Quartz: 2 models × 3 judges (2 pointwise,
/// 1 pairwise) × 30 cases for 3 iterations in autopilot, against a simulator in which the refiner's first edit helps and its
/// second hurts.
/// </summary>
public sealed class ClosedLoopTests(WorkerLoopFixture fixture, ITestOutputHelper output) : IClassFixture<WorkerLoopFixture>
{
    private const int Cases = 30;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Autopilot_ThreeIterations_ChainsVersionsMeasuresTheImprovementRecommendsTheBestAndStopsByRule()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var services = fixture.Services;
        var experiments = services.GetRequiredService<ExperimentService>();
        var tenant = fixture.Simulator.CreateTenant().Otherwise(ClosedLoopScenario.Respond);
        var projectId = await experiments.DefaultProjectIdAsync(cts.Token);
        var credential = await services.GetRequiredService<CredentialService>()
            .CreateAsync(await TestActors.OwnerAsync(services, cts.Token),
                projectId, ClosedLoopScenario.Credential(fixture.Simulator, tenant), cts.Token);
        Assert.True(credential.Succeeded, credential.Error);
        var (experimentId, errors) = await experiments.CreateAsync(await TestActors.OwnerAsync(services, cts.Token),
            ClosedLoopScenario.Definition(credential.Id!.Value, Cases, ReviewModes.Autopilot, new StopRules { Patience = 1, MaxIterations = 5 }),
            cts.Token);
        Assert.True(experimentId is not null, string.Join("; ", errors.SelectMany(e => e.Value)));

        var started = await services.GetRequiredService<IterationService>().StartAsync(await TestActors.OwnerOnAsync(services, ResourceKinds.Experiment, experimentId.Value, cts.Token), experimentId.Value, cts.Token);
        Assert.Null(started.Error);

        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        // Iteration 1 has no parent comparison, so autopilot waits for a person there; from iteration 2 on it decides alone.
        var firstSuggestion = await Poll.UntilAsync("iteration 1's suggestion to wait for a person",
            async ct => await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition("""
                SELECT s.id FROM suggestions s JOIN iterations i ON i.id = s.iteration_id
                WHERE i.experiment_id = @experimentId AND i.number = 1 AND i.status = 'reviewing' AND s.status = 'pending'
                """, new { experimentId }, cancellationToken: ct)),
            id => id is not null, cts.Token);
        var approval = await services.GetRequiredService<ReviewService>().ApproveAsync(await TestActors.OwnerAsync(services, cts.Token),
            firstSuggestion!.Value, "", null, cts.Token);
        Assert.True(approval.Accepted, approval.Error);
        // The experiment stops in the same step that completes its last iteration; wait for both.
        var stopped = await Poll.UntilAsync("the loop to stop",
            async ct => await connection.QuerySingleAsync<(string Status, string? StopReason, int Running)>(new CommandDefinition("""
                SELECT status, stop_reason,
                       (SELECT count(*)::int FROM iterations WHERE experiment_id = e.id AND status NOT IN ('completed', 'failed', 'cancelled'))
                FROM experiments e WHERE id = @experimentId
                """, new { experimentId }, cancellationToken: ct)),
            e => e.Status == "stopped" && e.Running == 0, cts.Token);
        output.WriteLine($"Stopped: {stopped.StopReason}");

        var iterations = (await connection.QueryAsync<IterationRow>(new CommandDefinition("""
            SELECT i.id, i.number, i.status, pv.version, pv.id AS version_id, pv.parent_id, i.parent_iteration_id, i.comparison::text AS comparison,
                   i.stop_reason, i.stop_details::text AS stop_details, (i.metrics ->> 'meanScore')::float8 AS mean_score
            FROM iterations i JOIN prompt_versions pv ON pv.id = i.prompt_version_id
            WHERE i.experiment_id = @experimentId ORDER BY i.number
            """, new { experimentId }, cancellationToken: cts.Token))).ToList();
        foreach (var it in iterations)
        {
            output.WriteLine($"#{it.Number} v{it.Version} {it.Status} mean {it.MeanScore} comparison {it.Comparison} stop {it.StopReason}");
        }

        // Three iterations, v1 → v2 → v3, each on its parent's iteration.
        Assert.Equal([1, 2, 3], iterations.Select(i => i.Number));
        Assert.Equal([1, 2, 3], iterations.Select(i => i.Version));
        Assert.All(iterations, i => Assert.Equal(IterationStatus.Completed, i.Status));
        Assert.Null(iterations[0].ParentId);
        Assert.Equal(iterations[0].VersionId, iterations[1].ParentId);
        Assert.Equal(iterations[1].VersionId, iterations[2].ParentId);
        Assert.Equal(iterations[0].Id, iterations[1].ParentIterationId);
        Assert.Equal(iterations[1].Id, iterations[2].ParentIterationId);
        Assert.Equal([3.0, 5.0, 4.0], iterations.Select(i => i.MeanScore!.Value));

        // Every output and judgment exactly once: 2 models × 30 cases; 2 pointwise judges per output; the pairwise judge sees
        // both orders of the two models' outputs per case, and from iteration 2 both orders of each output against its parent's.
        foreach (var it in iterations)
        {
            var counts = await connection.QuerySingleAsync<(int Outputs, int Pointwise, int Pairwise, int Failed)>(new CommandDefinition("""
                SELECT (SELECT count(*)::int FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id WHERE mr.iteration_id = @Id),
                       (SELECT count(*)::int FROM judgments WHERE iteration_id = @Id AND mode = 'pointwise'),
                       (SELECT count(*)::int FROM judgments WHERE iteration_id = @Id AND mode = 'pairwise'),
                       (SELECT count(*)::int FROM judgments WHERE iteration_id = @Id AND status = 'failed')
                """, new { it.Id }, cancellationToken: cts.Token));
            var pairs = (Cases * 2) + (it.Number == 1 ? 0 : 2 * 2 * Cases);
            Assert.Equal((2 * Cases, 2 * 2 * Cases, pairs, 0), counts);
        }

        // No provider call paid twice: one llm_calls row per call key, and one provider request per row that was not a cache hit
        // (both models answer a case alike, so a judge sees identical prompts and the Redis cache answers the second).
        var calls = await connection.QuerySingleAsync<(int Rows, int Keys, int Paid)>(new CommandDefinition("""
            SELECT count(*)::int, count(DISTINCT call_key)::int, count(*) FILTER (WHERE NOT cache_hit)::int
            FROM llm_calls WHERE experiment_id = @experimentId
            """, new { experimentId }, cancellationToken: cts.Token));
        Assert.Equal(calls.Rows, calls.Keys);
        Assert.Equal(calls.Paid, tenant.Requests.Count);

        // The suggestions chain with diffs, notes and hypotheses, applied by autopilot.
        var suggestions = (await connection.QueryAsync<(Guid IterationId, string Status, string Diff, string Note, string Hypotheses, bool Auto, Guid? Proposed)>(
            new CommandDefinition("""
                SELECT s.iteration_id, s.status, s.unified_diff, s.note, s.hypotheses::text, s.auto_applied, s.proposed_version_id
                FROM suggestions s JOIN iterations i ON i.id = s.iteration_id WHERE i.experiment_id = @experimentId ORDER BY i.number
                """, new { experimentId }, cancellationToken: cts.Token))).ToList();
        Assert.Equal(2, suggestions.Count);
        Assert.Equal([iterations[0].Id, iterations[1].Id], suggestions.Select(s => s.IterationId));
        Assert.Equal([iterations[1].VersionId, iterations[2].VersionId], suggestions.Select(s => s.Proposed!.Value));
        // The first was approved by a person (no parent comparison: autopilot waits), the second by autopilot.
        Assert.Equal([("approved", false), ("approved", true)], suggestions.Select(s => (s.Status, s.Auto)));
        Assert.Matches(@"(?m)^\+.*Cite the source\.", suggestions[0].Diff);
        Assert.Matches(@"(?m)^\+.*Be brief\.", suggestions[1].Diff);
        Assert.DoesNotMatch(@"(?m)^\+.*Cite the source\.", suggestions[1].Diff);
        Assert.Contains(ClosedLoopScenario.CiteInstruction, suggestions[0].Note, StringComparison.Ordinal);
        Assert.Contains("case-1", suggestions[0].Hypotheses, StringComparison.Ordinal);

        // The paired comparison reports the improvement of v2 over v1 with its CI, and the regression of v3.
        var improvement = JsonSerializer.Deserialize<VersionComparison>(iterations[1].Comparison!, Json)!;
        Assert.Equal((2.0, 2.0, 2.0), (improvement.MeanDifference, improvement.CiLow, improvement.CiHigh));
        Assert.True(improvement.PValue < 0.05, $"p = {improvement.PValue}");
        Assert.True(improvement.SignificantImprovement);
        Assert.Equal("validation", improvement.Split);
        var regression = JsonSerializer.Deserialize<VersionComparison>(iterations[2].Comparison!, Json)!;
        Assert.Equal(-1.0, regression.MeanDifference);
        Assert.True(regression.SignificantRegression);

        // v2 is recommended; patience ended the loop at iteration 3 and its numbers are stored.
        var recommended = await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "SELECT recommended_version_id FROM experiments WHERE id = @experimentId", new { experimentId }, cancellationToken: cts.Token));
        Assert.Equal(iterations[1].VersionId, recommended);
        Assert.Null(iterations[0].StopReason);
        Assert.Null(iterations[1].StopReason);
        var stop = JsonSerializer.Deserialize<StopDecision>(iterations[2].StopDetails!, Json)!;
        Assert.Equal("patience", stop.Rule);
        Assert.Equal(-1.0, stop.Numbers["lastMeanDifference"]);
        Assert.Equal(stop.Reason, stopped.StopReason);

        // Bradley–Terry from the pairwise judge: v2 beats v1 in iteration 2.
        var metrics = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT metrics::text FROM iterations WHERE id = @Id", new { iterations[1].Id }, cancellationToken: cts.Token));
        using var doc = JsonDocument.Parse(metrics!);
        var strengths = doc.RootElement.GetProperty("pairwiseVersions").EnumerateArray()
            .ToDictionary(e => e.GetProperty("item").GetString()!, e => e.GetProperty("strength").GetDouble());
        Assert.True(strengths["v2"] > strengths["v1"], metrics);
    }

    private sealed record IterationRow(Guid Id, int Number, string Status, int Version, Guid VersionId, Guid? ParentId, Guid? ParentIterationId,
        string? Comparison, string? StopReason, string? StopDetails, double? MeanScore);
}

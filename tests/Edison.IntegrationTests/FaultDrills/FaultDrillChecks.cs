using Dapper;
using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
using Npgsql;

namespace Edison.IntegrationTests.FaultDrills;

/// <summary>What every fault drill asserts once its iteration has ended.</summary>
internal static class FaultDrillChecks
{
    /// <summary>
    /// The iteration ended visibly (completed, or failed with a reason); one output per case, one llm_calls row per call key,
    /// one judgment per succeeded output; every failed output says why; the iteration's cost is the sum of its succeeded
    /// calls and failed calls cost nothing. Returns the row counts.
    /// </summary>
    public static async Task<(int Outputs, int Calls, int Judgments, int FailedOutputs)> AssertEndedConsistentlyAsync(
        NpgsqlDataSource dataSource, IterationView view, int cases, CancellationToken cancellationToken)
    {
        Assert.True(IterationStatus.IsTerminal(view.Status), $"Iteration still {view.Status}.");
        Assert.True(view.Status == IterationStatus.Completed || !string.IsNullOrWhiteSpace(view.Error),
            $"The iteration ended {view.Status} without a reason.");

        var (outputs, calls, judgments) = await IterationAssertions.AssertExactlyOnceAsync(dataSource, view.Id, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var sums = await connection.QuerySingleAsync<(decimal Iteration, decimal Succeeded, decimal Failed, int FailedOutputs,
            int SilentFailures, int ModelCalls, int JudgeCalls)>(new CommandDefinition("""
            SELECT i.cost_usd,
                   COALESCE((SELECT sum(cost_usd) FROM llm_calls WHERE iteration_id = i.id AND status = 'succeeded'), 0),
                   COALESCE((SELECT sum(cost_usd) FROM llm_calls WHERE iteration_id = i.id AND status = 'failed'), 0),
                   (SELECT count(*)::int FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id
                     WHERE mr.iteration_id = i.id AND o.status <> 'succeeded'),
                   (SELECT count(*)::int FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id
                     WHERE mr.iteration_id = i.id AND o.status <> 'succeeded' AND COALESCE(o.error, '') = ''),
                   (SELECT count(*)::int FROM llm_calls WHERE iteration_id = i.id AND purpose = 'execute'),
                   (SELECT count(*)::int FROM llm_calls WHERE iteration_id = i.id AND purpose = 'judge')
            FROM iterations i WHERE i.id = @Id
            """, new { view.Id }, cancellationToken: cancellationToken));

        Assert.Equal(cases, outputs);
        Assert.Equal(0, sums.SilentFailures);
        Assert.Equal(0m, sums.Failed);
        // iterations.cost_usd keeps 6 decimals, llm_calls 8; PostgreSQL rounds half away from zero.
        Assert.Equal(Math.Round(sums.Succeeded, 6, MidpointRounding.AwayFromZero), sums.Iteration);
        Assert.Equal(Math.Round(sums.Succeeded, 6, MidpointRounding.AwayFromZero), view.CostUsd);
        // One model call per output and one judge call per succeeded output: nothing missing, nothing doubled.
        Assert.Equal(cases, sums.ModelCalls);
        Assert.Equal(outputs - sums.FailedOutputs, sums.JudgeCalls);
        Assert.True(sums.ModelCalls + sums.JudgeCalls <= calls, "Calls of an unknown purpose.");
        return (outputs, calls, judgments, sums.FailedOutputs);
    }

    /// <summary>Outputs written so far for the iteration.</summary>
    public static async Task<int> OutputCountAsync(NpgsqlDataSource dataSource, Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*)::int FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id WHERE mr.iteration_id = @iterationId",
            new { iterationId }, cancellationToken: cancellationToken));
    }
}

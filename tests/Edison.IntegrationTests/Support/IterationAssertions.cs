using Dapper;
using Edison.Core.Runs;
using Edison.Testing;
using Npgsql;

namespace Edison.IntegrationTests.Support;

/// <summary>Waiting for an iteration to finish, and the exactly-once checks every loop test makes on its rows.</summary>
internal static class IterationAssertions
{
    public static Task<IterationView> WaitUntilFinishedAsync(IterationService iterations, Guid iterationId, CancellationToken cancellationToken) =>
        Poll.UntilAsync($"iteration {iterationId} to finish",
            async ct => await iterations.GetAsync(iterationId, ct) ?? throw new InvalidOperationException($"Iteration {iterationId} does not exist."),
            view => IterationStatus.IsTerminal(view.Status) || view.Status == IterationStatus.JudgingFailed, cancellationToken);

    /// <summary>
    /// One output per (model run, case, sample), one llm_calls row per call key, and one judgment per succeeded output;
    /// returns the numbers of outputs and calls.
    /// </summary>
    public static async Task<(int Outputs, int Calls, int Judgments)> AssertExactlyOnceAsync(NpgsqlDataSource dataSource, Guid iterationId,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var duplicateOutputs = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            SELECT count(*)::int FROM (
                SELECT 1 FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id WHERE mr.iteration_id = @iterationId
                GROUP BY o.model_run_id, o.case_id, o.sample HAVING count(*) > 1) d
            """, new { iterationId }, cancellationToken: cancellationToken));
        var duplicateCalls = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            SELECT count(*)::int FROM (SELECT 1 FROM llm_calls WHERE iteration_id = @iterationId GROUP BY call_key HAVING count(*) > 1) d
            """, new { iterationId }, cancellationToken: cancellationToken));
        var counts = await connection.QuerySingleAsync<(int Outputs, int Succeeded, int Calls, int Judgments)>(new CommandDefinition("""
            SELECT (SELECT count(*)::int FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id WHERE mr.iteration_id = @iterationId),
                   (SELECT count(*)::int FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id
                     WHERE mr.iteration_id = @iterationId AND o.status = 'succeeded'),
                   (SELECT count(*)::int FROM llm_calls WHERE iteration_id = @iterationId),
                   (SELECT count(*)::int FROM judgments j JOIN outputs o ON o.id = j.output_id JOIN model_runs mr ON mr.id = o.model_run_id
                     WHERE mr.iteration_id = @iterationId)
            """, new { iterationId }, cancellationToken: cancellationToken));
        Assert.Equal(0, duplicateOutputs);
        Assert.Equal(0, duplicateCalls);
        Assert.Equal(counts.Succeeded, counts.Judgments);
        return (counts.Outputs, counts.Calls, counts.Judgments);
    }
}

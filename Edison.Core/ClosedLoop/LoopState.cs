using System.Text.Json;
using Dapper;
using Edison.Core.Experiments;
using Edison.Core.Runs.Aggregation;
using Npgsql;

namespace Edison.Core.ClosedLoop;

/// <summary>
/// What happens to the experiment after an iteration's statistics exist: the recommended version is re-chosen and the stop
/// rules are checked, and the iteration's summary is written. Idempotent: re-running after a crash recomputes the same choice
/// and stores the same stop; the summary's model call is keyed, so it is paid once.
/// </summary>
internal sealed class LoopState(NpgsqlDataSource dataSource, IterationSummaryWriter summaries)
{
    private static readonly JsonSerializerOptions Json = LoopJson.Options;

    /// <summary>Updates the recommended version and returns the stop rule that fired, if one did (stored on the iteration).</summary>
    public async Task<StopDecision?> AfterAggregationAsync(Guid iterationId, VersionComparison? comparison, CancellationToken cancellationToken)
    {
        // Never fails or blocks the loop: a failed commentary leaves the numbers-only summary.
        await summaries.WriteAsync(iterationId, comparison, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var it = await connection.QuerySingleAsync<(Guid ExperimentId, int Number, string StopRules, string RefinerConfig)>(new CommandDefinition("""
            SELECT i.experiment_id, i.number, e.stop_rules::text, e.refiner_config::text
            FROM iterations i JOIN experiments e ON e.id = i.experiment_id WHERE i.id = @iterationId
            """, new { iterationId }, cancellationToken: cancellationToken));
        var rules = JsonSerializer.Deserialize<StopRules>(it.StopRules, Json) ?? new StopRules();
        var refiner = JsonSerializer.Deserialize<RefinerConfig>(it.RefinerConfig, Json) ?? new RefinerConfig();

        var versions = (await connection.QueryAsync<(Guid VersionId, string Metrics)>(new CommandDefinition("""
            SELECT DISTINCT ON (i.prompt_version_id) i.prompt_version_id, i.metrics::text
            FROM iterations i WHERE i.experiment_id = @ExperimentId AND i.metrics IS NOT NULL AND i.status <> 'cancelled'
            ORDER BY i.prompt_version_id, i.number DESC
            """, new { it.ExperimentId }, cancellationToken: cancellationToken)))
            .Select(v => (v.VersionId, JsonSerializer.Deserialize<IterationMetrics>(v.Metrics, Json)!)).ToList();
        var recommended = LoopRules.Recommend(versions);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE experiments SET recommended_version_id = @recommended, updated_at = now() WHERE id = @ExperimentId",
            new { recommended, it.ExperimentId }, cancellationToken: cancellationToken));

        var comparisons = (await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT comparison::text FROM iterations
            WHERE experiment_id = @ExperimentId AND number <= @Number AND comparison IS NOT NULL AND status <> 'cancelled'
            ORDER BY number DESC
            """, new { it.ExperimentId, it.Number }, cancellationToken: cancellationToken)))
            .Select(c => JsonSerializer.Deserialize<VersionComparison>(c, Json)!).ToList();
        var spent = await connection.QuerySingleAsync<(decimal Cost, long Tokens)>(new CommandDefinition("""
            SELECT coalesce(sum(cost_usd), 0), coalesce(sum(input_tokens + output_tokens), 0)::bigint FROM llm_calls WHERE experiment_id = @ExperimentId
            """, new { it.ExperimentId }, cancellationToken: cancellationToken));
        var stop = LoopRules.ShouldStop(rules, it.Number, comparisons, spent.Cost, spent.Tokens,
            refiner.CredentialId is not null && !string.IsNullOrWhiteSpace(refiner.Model));
        if (stop is not null)
        {
            await StopAsync(connection, iterationId, it.ExperimentId, stop, cancellationToken);
        }

        return stop;
    }

    /// <summary>Stores why the loop ended on the iteration and the experiment.</summary>
    public static async Task StopAsync(NpgsqlConnection connection, Guid iterationId, Guid experimentId, StopDecision stop,
        CancellationToken cancellationToken)
    {
        var details = JsonSerializer.Serialize(stop, Json);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE iterations SET stop_reason = @Reason, stop_details = @details::jsonb WHERE id = @iterationId;
            UPDATE experiments SET status = 'stopped', stop_reason = @Reason, stop_details = @details::jsonb, updated_at = now()
            WHERE id = @experimentId;
            """, new { stop.Reason, details, iterationId, experimentId }, cancellationToken: cancellationToken));
    }
}

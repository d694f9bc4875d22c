using System.Text.Json;
using Dapper;
using Edison.Core.Statistics;
using Npgsql;

namespace Edison.Core.Runs;

/// Computes an iteration's statistics from its judgments and its cost from llm_calls. Re-running it gives the same figures.
internal sealed class IterationAggregator(NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task AggregateAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<(Guid ModelRunId, string Model, string Status, double? Score)>(new CommandDefinition("""
            SELECT mr.id, mc.model, o.status, (SELECT avg(j.composite) FROM judgments j WHERE j.output_id = o.id AND j.status = 'succeeded')
            FROM outputs o
            JOIN model_runs mr ON mr.id = o.model_run_id
            JOIN model_configs mc ON mc.id = mr.model_config_id
            WHERE mr.iteration_id = @iterationId
            """, new { iterationId }, cancellationToken: cancellationToken))).ToList();
        var failedJudgments = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            SELECT count(*)::int FROM judgments j JOIN outputs o ON o.id = j.output_id JOIN model_runs mr ON mr.id = o.model_run_id
            WHERE mr.iteration_id = @iterationId AND j.status = 'failed'
            """, new { iterationId }, cancellationToken: cancellationToken));

        var metrics = Compute(rows, failedJudgments);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE iterations SET metrics = @metrics::jsonb,
                cost_usd = (SELECT coalesce(sum(cost_usd), 0) FROM llm_calls WHERE iteration_id = @iterationId),
                input_tokens = (SELECT coalesce(sum(input_tokens), 0) FROM llm_calls WHERE iteration_id = @iterationId),
                output_tokens = (SELECT coalesce(sum(output_tokens), 0) FROM llm_calls WHERE iteration_id = @iterationId)
            WHERE id = @iterationId
            """, new { iterationId, metrics = JsonSerializer.Serialize(metrics, Json) }, cancellationToken: cancellationToken));
    }

    internal static IterationMetrics Compute(IReadOnlyList<(Guid ModelRunId, string Model, string Status, double? Score)> rows, int failedJudgments)
    {
        var scored = rows.Where(r => r.Score is not null).Select(r => r.Score!.Value).ToList();
        var overall = Bootstrap.Mean(scored);
        var perModel = rows.GroupBy(r => (r.ModelRunId, r.Model)).Select(g =>
        {
            var ci = Bootstrap.Mean(g.Where(r => r.Score is not null).Select(r => r.Score!.Value).ToList());
            return new ModelMetrics(g.Key.Model, Finite(ci.Estimate), Finite(ci.Low), Finite(ci.High), ci.N, g.Count(r => r.Status == "failed"));
        }).ToList();
        return new IterationMetrics(Finite(overall.Estimate), Finite(overall.Low), Finite(overall.High), overall.N,
            rows.Count(r => r.Status == "failed"), failedJudgments, perModel);
    }

    private static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 4) : null;
}

internal sealed record IterationMetrics(double? MeanScore, double? CiLow, double? CiHigh, int N, int FailedOutputs, int FailedJudgments,
    IReadOnlyList<ModelMetrics> PerModel);

internal sealed record ModelMetrics(string Model, double? MeanScore, double? CiLow, double? CiHigh, int N, int FailedOutputs);

using Dapper;
using Npgsql;

namespace Edison.Core.ReadModels;

/// <summary>Sums a project's <c>llm_calls</c> by day, model and experiment: the settings page's cost report.</summary>
public sealed class CostReportQuery
{
    /// <summary>The longest range one report covers.</summary>
    public const int MaxDays = 366;

    /// <summary>The group calls outside any experiment (assist, connection tests) are counted in.</summary>
    public const string OutsideExperiments = "Outside experiments (assist, connection tests)";

    private readonly NpgsqlDataSource _dataSource;

    internal CostReportQuery(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>The project's calls that started from <paramref name="from"/> 00:00 UTC up to the end of <paramref name="to"/>.</summary>
    public async Task<CostReport> GetAsync(Guid projectId, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        if (to < from || to.DayNumber - from.DayNumber >= MaxDays)
        {
            throw new ArgumentOutOfRangeException(nameof(to), $"The range must run forwards and cover at most {MaxDays} days.");
        }

        var start = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var end = to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var parameters = new { projectId, start, end, outside = OutsideExperiments };
        // A call belongs to the project by its own project_id, or through its experiment when only that was recorded.
        const string Calls = """
            WITH calls AS (
                SELECT c.* FROM llm_calls c LEFT JOIN experiments e ON e.id = c.experiment_id
                WHERE (c.project_id = @projectId OR e.project_id = @projectId) AND c.started_at >= @start AND c.started_at < @end)
            """;
        const string Sums = """
            count(*) AS calls, coalesce(sum(input_tokens), 0) AS input_tokens, coalesce(sum(output_tokens), 0) AS output_tokens,
            coalesce(sum(cost_usd) FILTER (WHERE price_known), 0) AS cost_usd, count(*) FILTER (WHERE NOT price_known) AS unpriced_calls
            """;
        const string NoExperiment = ", NULL::uuid AS experiment_id";
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition($"""
            {Calls} SELECT 'Total' AS name, {Sums}{NoExperiment} FROM calls;
            {Calls} SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS name, {Sums}{NoExperiment} FROM calls GROUP BY 1 ORDER BY 1;
            {Calls} SELECT provider || ' · ' || model AS name, {Sums}{NoExperiment} FROM calls GROUP BY provider, model ORDER BY cost_usd DESC, name;
            {Calls}, sums AS (SELECT experiment_id, {Sums} FROM calls GROUP BY experiment_id)
                SELECT coalesce(e.name, @outside) AS name, s.calls, s.input_tokens, s.output_tokens, s.cost_usd, s.unpriced_calls, s.experiment_id
                FROM sums s LEFT JOIN experiments e ON e.id = s.experiment_id ORDER BY s.cost_usd DESC, 1;
            """, parameters, cancellationToken: cancellationToken));
        var total = await results.ReadSingleAsync<CostLine>();
        var byDay = (await results.ReadAsync<CostLine>()).ToList();
        var byModel = (await results.ReadAsync<CostLine>()).ToList();
        var byExperiment = (await results.ReadAsync<CostLine>()).ToList();
        return new CostReport(from, to, total, byDay, byModel, byExperiment);
    }
}

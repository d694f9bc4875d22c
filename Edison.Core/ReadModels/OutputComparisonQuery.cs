using Dapper;
using Npgsql;

namespace Edison.Core.ReadModels;

/// <summary>Finds the answers an output can be compared with side by side: the same case, the same experiment.</summary>
public sealed class OutputComparisonQuery
{
    private readonly NpgsqlDataSource _dataSource;

    internal OutputComparisonQuery(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>
    /// Every other answer to the output's case in its experiment, newest iteration first. Only answers of that experiment
    /// are listed, so an id picked from this list can never reach another project's data.
    /// </summary>
    public async Task<IReadOnlyList<OutputCounterpart>> ListCounterpartsAsync(Guid outputId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<OutputCounterpart>(new CommandDefinition("""
            SELECT o.id, i.number AS iteration_number, pv.version, mc.model, o.sample, o.status, o.text
            FROM outputs self
            JOIN model_runs smr ON smr.id = self.model_run_id JOIN iterations si ON si.id = smr.iteration_id
            JOIN iterations i ON i.experiment_id = si.experiment_id
            JOIN model_runs mr ON mr.iteration_id = i.id JOIN outputs o ON o.model_run_id = mr.id AND o.case_id = self.case_id
            JOIN model_configs mc ON mc.id = mr.model_config_id JOIN prompt_versions pv ON pv.id = i.prompt_version_id
            WHERE self.id = @outputId AND o.id <> self.id
            ORDER BY i.number DESC, mc.position, o.sample
            LIMIT 200
            """, new { outputId }, cancellationToken: cancellationToken))).ToList();
    }
}

using Dapper;
using Npgsql;

namespace Edison.Core.Runs;

/// <summary>
/// The one place that decides what an iteration runs (which prompt version on which dataset version) for a person's start
/// and its estimate, a review's next iteration, a CI check and a scheduled regression run. New runs take the cases of the
/// experiment's first dataset at its current version; the iteration that follows an approval keeps the reviewed iteration's
/// cases, so its comparison with its parent is paired.
/// </summary>
internal static class IterationPlanner
{
    // The experiment's cases for a new run: its first dataset at the current version.
    private const string CurrentCases = """
        JOIN datasets d ON d.experiment_id = e.id
        JOIN dataset_versions dv ON dv.dataset_id = d.id AND dv.version = d.current_version
        WHERE e.id = @experimentId
        ORDER BY d.created_at LIMIT 1
        """;

    /// The latest prompt version on the current cases (what Run starts and what the estimate prices), with its template; null
    /// when the experiment has no prompt or no cases. Inside a transaction it locks the experiment row, so two starts queue.
    public static async Task<(IterationPlan Plan, string Template)?> LatestAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        Guid experimentId, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(Guid PromptVersionId, string Template, Guid DatasetVersionId)>(new CommandDefinition(
            """
            SELECT p.id, p.template, dv.id
            FROM experiments e
            JOIN LATERAL (SELECT id, template FROM prompt_versions WHERE experiment_id = e.id ORDER BY version DESC LIMIT 1) p ON true
            """ + "\n" + CurrentCases + (transaction is null ? "" : "\nFOR UPDATE OF e"),
            new { experimentId }, transaction, cancellationToken: cancellationToken));
        return row == default ? null : (new IterationPlan(row.PromptVersionId, row.DatasetVersionId), row.Template);
    }

    /// Version <paramref name="version"/> on the current cases (a CI check, a scheduled run of production), locking the
    /// experiment row; null when the version or the cases do not exist.
    public static async Task<IterationPlan?> VersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid experimentId, int version,
        CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(Guid PromptVersionId, Guid DatasetVersionId)>(new CommandDefinition("""
            SELECT pv.id, dv.id
            FROM experiments e
            JOIN prompt_versions pv ON pv.experiment_id = e.id AND pv.version = @version
            """ + "\n" + CurrentCases + "\nFOR UPDATE OF e",
            new { experimentId, version }, transaction, cancellationToken: cancellationToken));
        return row == default ? null : new IterationPlan(row.PromptVersionId, row.DatasetVersionId);
    }

    /// The iteration after an approval: the approved version on the reviewed iteration's cases.
    public static IterationPlan AfterApproval(Guid approvedVersionId, Guid reviewedDatasetVersionId) => new(approvedVersionId, reviewedDatasetVersionId);
}

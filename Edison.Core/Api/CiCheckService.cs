using System.Text.Json;
using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.Events;
using Edison.Core.Jobs;
using Edison.Core.Persistence;
using Edison.Core.Runs;
using Edison.Core.Security;
using Npgsql;

namespace Edison.Core.Api;

/// <summary>
/// CI checks: run a named prompt version on the experiment's current cases with its judges, as a normal iteration the
/// workers execute, then pass it when its mean score reaches the threshold and the paired comparison with production shows
/// no significant regression.
/// </summary>
public sealed class CiCheckService
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IJobScheduler _jobs;
    private readonly IEventBus _events;
    private readonly IterationService _iterations;
    private readonly ApiStore _store;
    private readonly ProjectAccess _access;

    internal CiCheckService(NpgsqlDataSource dataSource, IJobScheduler jobs, IEventBus events, IterationService iterations, ApiStore store,
        ProjectAccess access)
    {
        _access = access;
        _dataSource = dataSource;
        _jobs = jobs;
        _events = events;
        _iterations = iterations;
        _store = store;
    }

    /// <summary>Starts a check of <paramref name="version"/>; returns its id, or an error saying why it cannot run.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<(Guid? CheckId, string? Error)> StartAsync(Actor actor, Guid experimentId, int version, double threshold,
        CancellationToken cancellationToken)
    {
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.Experiment, experimentId, ProjectRole.Editor, cancellationToken);
        return await StartAsync(experimentId, version, threshold, againstPreviousRun: false,
            (connection, transaction, iterationId, checkId) => AuditLog.WriteAsync(connection, transaction, actor, projectId, "ci-check.start",
                "ci_check", checkId, null, new { experimentId, version, threshold, iterationId }, cancellationToken), cancellationToken);
    }

    /// Starts a check. With <paramref name="againstPreviousRun"/> the baseline is the latest measured run of the production
    /// version itself (a scheduled regression run of production), and none when there is no such run; otherwise it is the
    /// latest run of production when another version is checked. <paramref name="alsoInTransaction"/> writes the caller's
    /// rows (iteration id, check id, the audit row) in the same transaction, so no worker can see the iteration without them.
    internal async Task<(Guid? CheckId, string? Error)> StartAsync(Guid experimentId, int version, double threshold, bool againstPreviousRun,
        Func<NpgsqlConnection, NpgsqlTransaction, Guid, Guid, Task>? alsoInTransaction, CancellationToken cancellationToken)
    {
        var production = await _store.GetProductionVersionAsync(experimentId, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await IterationPlanner.VersionAsync(connection, transaction, experimentId, version, cancellationToken) is not { } source)
        {
            return (null, $"The experiment has no prompt version {version} or no test cases.");
        }

        var iterationId = await IterationLifecycle.CreateAsync(connection, transaction, experimentId, source, cancellationToken);
        if (againstPreviousRun)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE iterations SET parent_iteration_id =
                    (SELECT i.id FROM iterations i WHERE i.prompt_version_id = @PromptVersionId AND i.dataset_version_id = @DatasetVersionId
                       AND i.metrics IS NOT NULL AND i.status <> @cancelled AND i.id <> @iterationId ORDER BY i.number DESC LIMIT 1)
                WHERE id = @iterationId
                """, new { source.PromptVersionId, source.DatasetVersionId, iterationId, cancelled = IterationStatus.Cancelled }, transaction, cancellationToken: cancellationToken));
        }
        // The comparison is made against production, whatever the version's own parent is.
        else if (production is not null && production.Id != source.PromptVersionId)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE iterations SET parent_iteration_id = coalesce(
                    (SELECT i.id FROM iterations i WHERE i.prompt_version_id = @productionId AND i.dataset_version_id = @datasetVersionId
                       AND i.metrics IS NOT NULL AND i.status <> @cancelled ORDER BY i.number DESC LIMIT 1), parent_iteration_id)
                WHERE id = @iterationId
                """, new { productionId = production.Id, source.DatasetVersionId, iterationId, cancelled = IterationStatus.Cancelled }, transaction, cancellationToken: cancellationToken));
        }

        var checkId = Ids.New();
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ci_checks (id, experiment_id, iteration_id, prompt_version_id, production_version_id, threshold)
            VALUES (@checkId, @experimentId, @iterationId, @PromptVersionId, @productionId, @threshold)
            """, new { checkId, experimentId, iterationId, source.PromptVersionId, productionId = production?.Id, threshold }, transaction,
            cancellationToken: cancellationToken));
        if (alsoInTransaction is not null)
        {
            await alsoInTransaction(connection, transaction, iterationId, checkId);
        }

        await transaction.CommitAsync(cancellationToken);
        await IterationService.HandOverAsync(_jobs, _events, experimentId, iterationId, cancellationToken);
        return (checkId, null);
    }

    /// <summary>The check's state and, once its iteration has ended, its verdict; null when it does not exist.</summary>
    public async Task<CiCheckView?> GetAsync(Guid checkId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<CheckRow>(new CommandDefinition("""
            SELECT c.id, c.experiment_id, c.iteration_id, pv.version, ppv.version AS production_version, c.threshold,
                   i.comparison::text AS comparison,
                   (SELECT p.prompt_version_id FROM iterations p WHERE p.id = i.parent_iteration_id) AS parent_version_id,
                   c.production_version_id
            FROM ci_checks c
            JOIN iterations i ON i.id = c.iteration_id
            JOIN prompt_versions pv ON pv.id = c.prompt_version_id
            LEFT JOIN prompt_versions ppv ON ppv.id = c.production_version_id
            WHERE c.id = @checkId
            """, new { checkId }, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }

        var view = await _iterations.GetAsync(row.IterationId, cancellationToken);
        if (view is null)
        {
            return null;
        }

        var comparison = row.Comparison is not null && row.ParentVersionId == row.ProductionVersionId
            ? JsonSerializer.Deserialize<VersionComparison>(row.Comparison, LoopJson.Options)
            : null;
        var reasons = new List<string>();
        string status;
        if (!IterationStatus.IsTerminal(view.Status) || (view.Status == IterationStatus.Completed && view.MeanScore is null))
        {
            status = view.Status is IterationStatus.Reviewing or IterationStatus.Refining && view.MeanScore is not null
                ? Verdict(view, row, comparison, reasons)
                : CiCheckView.Running;
        }
        else if (view.Status != IterationStatus.Completed)
        {
            reasons.Add($"The run ended {view.Status}: {view.Error ?? "no reason recorded"}.");
            status = CiCheckView.Failed;
        }
        else
        {
            status = Verdict(view, row, comparison, reasons);
        }

        return new CiCheckView(row.Id, row.ExperimentId, row.IterationId, row.Version, row.ProductionVersion, row.Threshold, status,
            view.MeanScore, view.CiLow, view.CiHigh, reasons, comparison);
    }

    private static string Verdict(IterationView view, CheckRow row, VersionComparison? comparison, List<string> reasons)
    {
        if (view.MeanScore < row.Threshold)
        {
            reasons.Add($"Mean score {view.MeanScore:0.###} is below the threshold {row.Threshold:0.###}.");
        }

        if (comparison is { SignificantRegression: true })
        {
            reasons.Add($"Significantly worse than production v{row.ProductionVersion}: mean difference {comparison.MeanDifference:0.###} " +
                $"(CI {comparison.CiLow:0.###} to {comparison.CiHigh:0.###}, p = {comparison.PValue:0.####}).");
        }

        if (comparison is { FlagRateRose: true })
        {
            reasons.Add("The safety flag rate rose against production.");
        }

        return reasons.Count == 0 ? CiCheckView.Passed : CiCheckView.Failed;
    }

    private sealed record CheckRow(Guid Id, Guid ExperimentId, Guid IterationId, int Version, int? ProductionVersion, double Threshold,
        string? Comparison, Guid? ParentVersionId, Guid? ProductionVersionId);
}

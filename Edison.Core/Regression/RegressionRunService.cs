using System.Globalization;
using Dapper;
using Edison.Core.Api;
using Edison.Core.ClosedLoop;
using Edison.Core.Jobs;
using Edison.Core.Persistence;
using Edison.Core.Runs;
using Edison.Core.Security;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Edison.Core.Regression;

/// <summary>
/// Scheduled regression runs: re-runs the production version on the experiment's current cases as a CI check (the same
/// iteration path as every run), and, once its statistics exist, compares it with the previous production run on the same
/// cases; a significant drop (the paired CI and the experiment's minimum effect) becomes an alert and, when the experiment
/// has one, a signed webhook.
/// </summary>
public sealed partial class RegressionRunService : IMeasuredRunFinisher
{
    // A scheduled run has no threshold of its own: only the comparison with the previous run decides.
    private const double NoThreshold = double.MinValue;

    private readonly NpgsqlDataSource _dataSource;
    private readonly CiCheckService _checks;
    private readonly ApiStore _store;
    private readonly IJobScheduler _jobs;
    private readonly ILogger<RegressionRunService> _logger;

    internal RegressionRunService(NpgsqlDataSource dataSource, CiCheckService checks, ApiStore store, IJobScheduler jobs,
        ILogger<RegressionRunService> logger)
    {
        _dataSource = dataSource;
        _checks = checks;
        _store = store;
        _jobs = jobs;
        _logger = logger;
    }

    /// <summary>
    /// Starts the experiment's scheduled run. Returns false when the experiment has no schedule any more (it was turned off or
    /// the experiment deleted), so the caller removes the trigger; a run still going is left alone and none is started.
    /// </summary>
    [SystemOperation("Quartz fires the schedule an editor set; who set it is recorded on the schedule and in the audit log")]
    public async Task<bool> StartAsync(Guid experimentId, CancellationToken cancellationToken)
    {
        string experimentStatus;
        await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken))
        {
            var found = await connection.QuerySingleOrDefaultAsync<(string Status, bool Busy)?>(new CommandDefinition("""
                SELECT e.status,
                       EXISTS (SELECT 1 FROM regression_runs r JOIN iterations i ON i.id = r.iteration_id
                               WHERE r.experiment_id = e.id AND r.outcome = 'running' AND i.status <> ALL (@terminal))
                FROM regression_schedules s JOIN experiments e ON e.id = s.experiment_id WHERE s.experiment_id = @experimentId
                """, new { experimentId, terminal = IterationStatus.TerminalArray }, cancellationToken: cancellationToken));
            if (found is not { } row)
            {
                return false;
            }

            if (row.Busy)
            {
                LogStillRunning(experimentId);
                return true;
            }

            experimentStatus = row.Status;
        }

        var production = await _store.GetProductionVersionAsync(experimentId, cancellationToken);
        if (production is null)
        {
            await NotStartedAsync(experimentId, experimentStatus, "The experiment has no prompt version to run.", cancellationToken);
            return true;
        }

        var runId = Ids.New();
        var (_, error) = await _checks.StartAsync(experimentId, production.Version, NoThreshold, againstPreviousRun: true,
            (connection, transaction, iterationId, checkId) => connection.ExecuteAsync(new CommandDefinition("""
                UPDATE iterations SET scheduled_run = true WHERE id = @iterationId;
                INSERT INTO regression_runs (id, experiment_id, check_id, iteration_id, baseline_iteration_id, prompt_version, experiment_status)
                SELECT @runId, @experimentId, @checkId, @iterationId, parent_iteration_id, @version, @experimentStatus FROM iterations WHERE id = @iterationId
                """, new { runId, experimentId, checkId, iterationId, version = production.Version, experimentStatus }, transaction,
                cancellationToken: cancellationToken)), cancellationToken);
        if (error is not null)
        {
            await NotStartedAsync(experimentId, experimentStatus, error, cancellationToken);
        }
        else
        {
            LogStarted(experimentId, production.Version);
        }

        return true;
    }

    /// <summary>
    /// Records the outcome of a scheduled run whose statistics were just computed, raises the alert when it regressed, and
    /// puts the experiment back in the state it had. Returns false when the iteration is not a scheduled run (the loop then
    /// carries on as usual); true means the run is finished and must not be refined. Idempotent.
    /// </summary>
    internal async Task<bool> FinishAsync(Guid iterationId, VersionComparison? comparison, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var run = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition("""
            SELECT r.id, r.experiment_id, r.prompt_version, r.outcome, r.experiment_status, r.baseline_iteration_id,
                   (s.webhook_url IS NOT NULL AND s.webhook_secret_protected IS NOT NULL) AS has_webhook
            FROM regression_runs r LEFT JOIN regression_schedules s ON s.experiment_id = r.experiment_id
            WHERE r.iteration_id = @iterationId FOR UPDATE OF r
            """, new { iterationId }, transaction, cancellationToken: cancellationToken));
        if (run is null)
        {
            return false;
        }

        if (run.Outcome == "running")
        {
            var regressed = comparison is { SignificantRegression: true };
            var outcome = comparison is null ? "no_baseline" : regressed ? "regressed" : "passed";
            var detail = comparison is null
                ? "No earlier measured run of this version on these cases to compare with; this run is the baseline for the next."
                : Describe(run.PromptVersion ?? 0, comparison);
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE regression_runs SET outcome = @outcome, detail = @detail, finished_at = now() WHERE id = @Id;
                UPDATE experiments SET status = @ExperimentStatus, updated_at = now()
                WHERE id = @ExperimentId AND status = 'running'
                  AND NOT EXISTS (SELECT 1 FROM iterations WHERE experiment_id = @ExperimentId AND id <> @iterationId
                                  AND status <> ALL (@terminal));
                """, new { outcome, detail, run.Id, run.ExperimentStatus, run.ExperimentId, iterationId, terminal = IterationStatus.TerminalArray }, transaction, cancellationToken: cancellationToken));
            if (regressed)
            {
                await connection.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO regression_alerts (id, experiment_id, regression_run_id, iteration_id, baseline_iteration_id, prompt_version, cases,
                                                   mean_difference, ci_low, ci_high, p_value, message, webhook_status)
                    VALUES (@alertId, @ExperimentId, @Id, @iterationId, @baseline, @version, @N, @MeanDifference, @CiLow, @CiHigh, @PValue, @detail,
                            @webhookStatus)
                    """, new
                {
                    alertId = Ids.New(), run.ExperimentId, run.Id, iterationId, baseline = comparison!.ParentIterationId, version = run.PromptVersion ?? 0,
                    comparison.N, comparison.MeanDifference, comparison.CiLow, comparison.CiHigh, comparison.PValue, detail,
                    webhookStatus = run.HasWebhook ? "pending" : "none",
                }, transaction, cancellationToken: cancellationToken));
                LogRegressed(run.ExperimentId, iterationId, comparison.MeanDifference);
            }
        }

        await transaction.CommitAsync(cancellationToken);

        // Scheduled after the commit and again on a repeat call, so a crash in between loses no delivery; the key makes it once.
        var pending = await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
            "SELECT id FROM regression_alerts WHERE regression_run_id = @Id AND webhook_status = 'pending'", new { run.Id },
            cancellationToken: cancellationToken));
        if (pending is { } alertId)
        {
            await _jobs.EnqueueAsync(new JobRequest(WorkerJobs.DeliverWebhook, $"webhook:{alertId}",
                new Dictionary<string, string> { [WorkerJobs.Keys.AlertId] = alertId.ToString() }, JobPriority.Interactive), cancellationToken);
        }

        return true;
    }

    Task<bool> IMeasuredRunFinisher.FinishAsync(Guid iterationId, VersionComparison? comparison, CancellationToken cancellationToken) =>
        FinishAsync(iterationId, comparison, cancellationToken);

    private static string Describe(int version, VersionComparison c)
    {
        var verdict = c.SignificantRegression ? "significantly worse than" : c.SignificantImprovement ? "significantly better than" : "no different from";
        return string.Create(CultureInfo.InvariantCulture,
            $"v{version} scored {verdict} its previous run on {c.N} {c.Split} cases: mean difference {c.MeanDifference:+0.###;-0.###;0} " +
            $"(95% CI {c.CiLow:0.###} to {c.CiHigh:0.###}, p = {c.PValue:0.####}).");
    }

    private async Task NotStartedAsync(Guid experimentId, string experimentStatus, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO regression_runs (id, experiment_id, experiment_status, outcome, detail, finished_at)
            VALUES (@id, @experimentId, @experimentStatus, 'not_started', @reason, now())
            """, new { id = Ids.New(), experimentId, experimentStatus, reason }, cancellationToken: cancellationToken));
        LogNotStarted(experimentId, reason);
    }

    private sealed record RunRow(Guid Id, Guid ExperimentId, int? PromptVersion, string Outcome, string ExperimentStatus, Guid? BaselineIterationId,
        bool HasWebhook);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled regression run of experiment {ExperimentId} started on v{Version}")]
    private partial void LogStarted(Guid experimentId, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled regression run of experiment {ExperimentId} skipped: the previous one is still running")]
    private partial void LogStillRunning(Guid experimentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled regression run of experiment {ExperimentId} did not start: {Reason}")]
    private partial void LogNotStarted(Guid experimentId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Regression in experiment {ExperimentId}: iteration {IterationId} differs by {MeanDifference}")]
    private partial void LogRegressed(Guid experimentId, Guid iterationId, double meanDifference);
}

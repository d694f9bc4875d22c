using System.ComponentModel;
using System.Text.Json;
using Dapper;
using Edison.Core.Events;
using Edison.Core.Jobs;
using Edison.Core.Persistence;
using Edison.Core.Prompts;
using Edison.Core.Security;
using Npgsql;

namespace Edison.Core.Runs;

/// <summary>Starts iterations and reads their progress and results for the pages.</summary>
public sealed class IterationService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly NpgsqlDataSource _dataSource;
    private readonly IJobScheduler _jobs;
    private readonly IEventBus _events;
    private readonly WorkProgress _progress;
    private readonly RunEstimator _estimator;
    private readonly ProjectAccess _access;
    private readonly SettledIterationCache _settled;
    private readonly IterationLifecycle _lifecycle;

    internal IterationService(NpgsqlDataSource dataSource, IJobScheduler jobs, IEventBus events, WorkProgress progress, RunEstimator estimator,
        ProjectAccess access, SettledIterationCache settled, IterationLifecycle lifecycle)
    {
        _lifecycle = lifecycle;
        _settled = settled;
        _access = access;
        _estimator = estimator;
        _dataSource = dataSource;
        _jobs = jobs;
        _events = events;
        _progress = progress;
    }

    /// <summary>
    /// Creates the next iteration on the latest prompt version and dataset version and hands it to a worker.
    /// Refuses when a case lacks a template variable, naming the case and the variable, and when what the experiment has
    /// spent plus the run's estimate would pass its budget, saying the figures.
    /// </summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<StartIterationResult> StartAsync(Actor actor, Guid experimentId, CancellationToken cancellationToken)
    {
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.Experiment, experimentId, ProjectRole.Editor, cancellationToken);
        var overBudget = await CheckBudgetAsync(experimentId, cancellationToken);
        if (overBudget is not null)
        {
            return new StartIterationResult(null, overBudget);
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await IterationPlanner.LatestAsync(connection, transaction, experimentId, cancellationToken) is not var (plan, template))
        {
            return new StartIterationResult(null, "The experiment has no prompt or no test cases yet.");
        }

        var problem = await CheckVariablesAsync(connection, transaction, template, plan.DatasetVersionId, cancellationToken);
        if (problem is not null)
        {
            return new StartIterationResult(null, problem);
        }

        var iterationId = await IterationLifecycle.CreateAsync(connection, transaction, experimentId, plan, cancellationToken);
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "iteration.start", "iteration", iterationId, null,
            new { experimentId, plan.PromptVersionId, plan.DatasetVersionId }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        await HandOverAsync(_jobs, _events, experimentId, iterationId, cancellationToken);
        return new StartIterationResult(iterationId, null);
    }

    /// <summary>
    /// Estimates what the next iteration of the experiment costs, per model and purpose, next to its budget and spend;
    /// null when the experiment has no prompt or no test cases yet.
    /// </summary>
    public Task<RunEstimate?> EstimateAsync(Guid experimentId, CancellationToken cancellationToken) =>
        _estimator.EstimateAsync(experimentId, cancellationToken);

    /// <summary>What the first iteration of a definition not stored yet would cost (the wizard's review step); null when its prompt does not parse.</summary>
    public Task<RunEstimate?> EstimateAsync(Edison.Core.Experiments.ExperimentDefinition definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return _estimator.EstimateAsync(definition, cancellationToken);
    }

    private async Task<string?> CheckBudgetAsync(Guid experimentId, CancellationToken cancellationToken)
    {
        await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken))
        {
            var budget = await connection.ExecuteScalarAsync<decimal?>(new CommandDefinition(
                "SELECT (stop_rules ->> 'budgetUsd')::numeric FROM experiments WHERE id = @experimentId", new { experimentId },
                cancellationToken: cancellationToken));
            if (budget is null)
            {
                return null;
            }
        }

        // Variables are checked after this; a case that does not render is reported there, not here.
        RunEstimate? estimate;
        try
        {
            estimate = await _estimator.EstimateAsync(experimentId, cancellationToken);
        }
        catch (Exception ex) when (ex is FormatException or KeyNotFoundException or InvalidOperationException or JsonException)
        {
            return null;
        }

        if (estimate is not { ExceedsBudget: true, BudgetUsd: { } limit })
        {
            return null;
        }

        var left = Math.Max(0, limit - estimate.SpentUsd);
        return $"The run did not start: it would cost about {BudgetGuard.Usd(estimate.TotalUsd)}, but {BudgetGuard.Usd(estimate.SpentUsd)} of the "
               + $"{BudgetGuard.Usd(limit)} budget is already spent, leaving {BudgetGuard.Usd(left)}. "
               + "Raise the budget or run fewer cases, samples or models.";
    }

    /// <summary>
    /// Cancels an unfinished iteration: no new provider call starts and calls in flight are cancelled within a second;
    /// what finished stays visible and counts in no statistic. Returns false when it had already ended.
    /// </summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<bool> CancelAsync(Actor actor, Guid iterationId, CancellationToken cancellationToken)
    {
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.Iteration, iterationId, ProjectRole.Editor, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var before = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT status FROM iterations WHERE id = @iterationId FOR UPDATE", new { iterationId }, transaction, cancellationToken: cancellationToken));
        var experimentId = await _lifecycle.CancelAsync(connection, transaction, iterationId, "Cancelled by a person.", cancellationToken);
        if (experimentId is null)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE suggestions SET status = 'superseded' WHERE iteration_id = @iterationId AND status = 'pending';
            UPDATE experiments SET status = 'stopped', stop_reason = 'Cancelled by a person.', updated_at = now() WHERE id = @experimentId;
            """, new { iterationId, experimentId }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "iteration.cancel", "iteration", iterationId,
            new { status = before }, new { status = IterationStatus.Cancelled }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await _events.PublishAsync(new ExperimentEvent(experimentId.Value, iterationId, ExperimentEvent.StatusChanged, IterationStatus.Cancelled, 0, 0),
            cancellationToken);
        return true;
    }

    /// <summary>
    /// Re-judges an iteration whose judging failed: only its failed verdicts are deleted and judged again, under a new call-key
    /// generation with the response cache bypassed (a stored failure is never replayed), and the iteration then continues.
    /// Returns false when the iteration is not in "judging failed".
    /// </summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<bool> RejudgeAsync(Actor actor, Guid iterationId, CancellationToken cancellationToken)
    {
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.Iteration, iterationId, ProjectRole.Editor, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var experimentId = await _lifecycle.RejudgeAsync(connection, transaction, iterationId, cancellationToken);
        if (experimentId is null)
        {
            return false;
        }

        var (generation, failed) = await connection.QuerySingleAsync<(int, int)>(new CommandDefinition("""
            WITH gone AS (DELETE FROM judgments WHERE iteration_id = @iterationId AND mode IN ('pointwise', 'pairwise') AND status = 'failed' RETURNING 1)
            UPDATE iterations SET judge_generation = judge_generation + 1, error = NULL WHERE id = @iterationId
            RETURNING judge_generation, (SELECT count(*)::int FROM gone)
            """, new { iterationId }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "iteration.rejudge", "iteration", iterationId,
            new { status = IterationStatus.JudgingFailed }, new { status = IterationStatus.Judging, generation, failedVerdicts = failed }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await _events.PublishAsync(new ExperimentEvent(experimentId.Value, iterationId, ExperimentEvent.StatusChanged, IterationStatus.Judging, 0, 0),
            cancellationToken);
        await _jobs.EnqueueAsync(new JobRequest(WorkerJobs.AdvanceIteration, $"advance:{iterationId}:rejudge:{generation}",
            new Dictionary<string, string> { [WorkerJobs.Keys.IterationId] = iterationId.ToString() }, JobPriority.Interactive), cancellationToken);
        return true;
    }

    /// <summary>Pauses an unfinished iteration: calls in flight finish, no new one starts. Returns false when it had ended.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public Task<bool> PauseAsync(Actor actor, Guid iterationId, CancellationToken cancellationToken) =>
        SetPausedAsync(actor, iterationId, true, cancellationToken);

    /// <summary>Resumes a paused iteration where it stopped.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<bool> ResumeAsync(Actor actor, Guid iterationId, CancellationToken cancellationToken)
    {
        if (!await SetPausedAsync(actor, iterationId, false, cancellationToken))
        {
            return false;
        }

        await _jobs.EnqueueAsync(new JobRequest(WorkerJobs.AdvanceIteration, $"advance:{iterationId}:resume:{Ids.New():N}",
            new Dictionary<string, string> { [WorkerJobs.Keys.IterationId] = iterationId.ToString() }, JobPriority.Interactive), cancellationToken);
        return true;
    }

    private async Task<bool> SetPausedAsync(Actor actor, Guid iterationId, bool paused, CancellationToken cancellationToken)
    {
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.Iteration, iterationId, ProjectRole.Editor, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var experimentId = await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
            UPDATE iterations SET is_paused = @paused WHERE id = @iterationId AND status <> ALL (@terminal)
            RETURNING experiment_id
            """, new { iterationId, paused, terminal = IterationStatus.TerminalArray }, transaction, cancellationToken: cancellationToken));
        if (experimentId is not null)
        {
            await AuditLog.WriteAsync(connection, transaction, actor, projectId, paused ? "iteration.pause" : "iteration.resume", "iteration",
                iterationId, new { paused = !paused }, new { paused }, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        if (experimentId is { } id)
        {
            await _events.PublishAsync(new ExperimentEvent(id, iterationId, ExperimentEvent.StatusChanged, paused ? "paused" : "resumed", 0, 0),
                cancellationToken);
        }

        return experimentId is not null;
    }

    /// Gives a new iteration to the workers and tells the live pages.
    internal static async Task HandOverAsync(IJobScheduler jobs, IEventBus events, Guid experimentId, Guid iterationId,
        CancellationToken cancellationToken)
    {
        await jobs.EnqueueAsync(new JobRequest(WorkerJobs.AdvanceIteration, $"advance:{iterationId}:start",
            new Dictionary<string, string> { [WorkerJobs.Keys.IterationId] = iterationId.ToString() }, JobPriority.Interactive), cancellationToken);
        await events.PublishAsync(new ExperimentEvent(experimentId, iterationId, ExperimentEvent.StatusChanged, IterationStatus.Pending, 0, 0),
            cancellationToken);
    }

    /// <summary>Reads an iteration's state and figures, or null when it does not exist.</summary>
    public async Task<IterationView?> GetAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        // The per-case arrays are most of a large iteration's metrics and none of them is shown here.
        var row = await connection.QuerySingleOrDefaultAsync<ViewRow>(new CommandDefinition("""
            SELECT i.id, i.experiment_id, e.name AS experiment_name, i.number, i.status,
                   (i.metrics - 'caseScores' - 'caseFlagRates' - 'caseSplits')::text AS metrics, i.cost_usd,
                   i.input_tokens, i.output_tokens, i.error, i.change_stamp
            FROM iterations i JOIN experiments e ON e.id = i.experiment_id
            WHERE i.id = @iterationId
            """, new { iterationId }, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }

        var figures = await _settled.GetOrComputeAsync(iterationId, row.Status, row.ChangeStamp, nameof(ProgressFigures),
            ct => ProgressFiguresAsync(iterationId, ct), cancellationToken);
        var metrics = row.Metrics is null ? null : JsonSerializer.Deserialize<Aggregation.IterationMetrics>(row.Metrics, Aggregation.MetricsJson.Options);
        return new IterationView(row.Id, row.ExperimentId, row.ExperimentName, row.Number, row.Status, figures.OutputsDone, figures.OutputsTotal,
            figures.JudgmentsDone, figures.JudgmentsTotal, metrics?.MeanScore, metrics?.CiLow, metrics?.CiHigh, metrics?.FailedOutputs ?? 0,
            metrics?.FailedJudgments ?? 0, row.CostUsd, row.InputTokens, row.OutputTokens, row.Error)
        {
            UnpricedCalls = figures.UnpricedCalls,
            UnpricedModels = figures.UnpricedModels,
        };
    }

    private async Task<ProgressFigures> ProgressFiguresAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        var (outputsDone, outputsTotal) = await _progress.OutputsAsync(iterationId, cancellationToken);
        var (judgmentsDone, judgmentsTotal) = await _progress.JudgmentsAsync(iterationId, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var unpriced = await connection.QuerySingleAsync<(int Calls, string? Models)>(new CommandDefinition("""
            SELECT count(*)::int, string_agg(DISTINCT model, ', ' ORDER BY model)
            FROM llm_calls WHERE iteration_id = @iterationId AND NOT price_known
            """, new { iterationId }, cancellationToken: cancellationToken));
        return new ProgressFigures(outputsDone, outputsTotal, judgmentsDone, judgmentsTotal, unpriced.Calls, unpriced.Models);
    }

    [ImmutableObject(true)]
    private sealed record ProgressFigures(int OutputsDone, int OutputsTotal, int JudgmentsDone, int JudgmentsTotal, int UnpricedCalls,
        string? UnpricedModels);

    /// <summary>Every case × model × sample of the iteration, with output and judgment where they exist.</summary>
    public async Task<IReadOnlyList<IterationResultRow>> GetResultsAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<IterationResultRow>(new CommandDefinition("""
            SELECT dvc.position + 1 AS position, mc.model, coalesce(o.sample, 0) AS sample, cv.input::text AS input, cv.expected_output,
                   o.status AS output_status, o.text AS output, o.error AS output_error,
                   j.status AS judgment_status, j.composite AS score, j.reasoning, j.rationales::text AS rationales, j.error AS judgment_error
            FROM iterations i
            JOIN model_runs mr ON mr.iteration_id = i.id
            JOIN model_configs mc ON mc.id = mr.model_config_id
            JOIN dataset_version_cases dvc ON dvc.dataset_version_id = i.dataset_version_id
            JOIN case_versions cv ON cv.case_id = dvc.case_id AND cv.version = dvc.case_version
            LEFT JOIN outputs o ON o.model_run_id = mr.id AND o.case_id = dvc.case_id
            LEFT JOIN LATERAL (SELECT * FROM judgments WHERE output_id = o.id ORDER BY created_at LIMIT 1) j ON true
            WHERE i.id = @iterationId
            ORDER BY mc.position, dvc.position, o.sample
            LIMIT 2000
            """, new { iterationId }, cancellationToken: cancellationToken));
        return rows.ToList();
    }

    internal static async Task<string?> CheckVariablesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string templateText,
        Guid datasetVersionId, CancellationToken cancellationToken)
    {
        if (!PromptTemplate.TryParse(templateText, out var template, out var error))
        {
            return error;
        }

        var cases = await connection.QueryAsync<(int Position, string Input)>(new CommandDefinition("""
            SELECT dvc.position, cv.input::text FROM dataset_version_cases dvc
            JOIN case_versions cv ON cv.case_id = dvc.case_id AND cv.version = dvc.case_version
            WHERE dvc.dataset_version_id = @datasetVersionId ORDER BY dvc.position
            """, new { datasetVersionId }, transaction, cancellationToken: cancellationToken));
        var problems = cases
            .Select(c => (c.Position, Missing: template!.MissingVariables(JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(c.Input)!)))
            .Where(c => c.Missing.Count > 0)
            .Take(5)
            .Select(c => $"case {c.Position + 1} has no value for {string.Join(", ", c.Missing.Select(v => "{{ " + v + " }}"))}")
            .ToList();
        return problems.Count == 0 ? null : $"The run did not start: {string.Join("; ", problems)}.";
    }

    private sealed record ViewRow(Guid Id, Guid ExperimentId, string ExperimentName, int Number, string Status, string? Metrics, decimal CostUsd,
        long InputTokens, long OutputTokens, string? Error, long ChangeStamp);
}

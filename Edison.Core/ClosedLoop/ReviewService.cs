using System.Text.Json;
using Dapper;
using Edison.Core.Events;
using Edison.Core.Experiments;
using Edison.Core.Jobs;
using Edison.Core.Persistence;
using Edison.Core.Prompts;
using Edison.Core.Runs;
using Edison.Core.Security;
using Npgsql;

namespace Edison.Core.ClosedLoop;

/// <summary>
/// The human in the loop: approve (optionally after editing) a suggestion into the next prompt version and start its
/// iteration, reject it or ask for changes (the refiner tries again with the note), stop the loop, and rate outputs.
/// Every action is one transaction guarded by the suggestion's status, so a double click or a race does nothing twice.
/// </summary>
public sealed class ReviewService
{
    private static readonly JsonSerializerOptions Json = LoopJson.Options;
    private readonly NpgsqlDataSource _dataSource;
    private readonly IJobScheduler _jobs;
    private readonly IEventBus _events;
    private readonly IterationAggregator _aggregator;
    private readonly ProjectAccess _access;
    private readonly IterationLifecycle _lifecycle;

    internal ReviewService(NpgsqlDataSource dataSource, IJobScheduler jobs, IEventBus events, IterationAggregator aggregator, ProjectAccess access,
        IterationLifecycle lifecycle)
    {
        _lifecycle = lifecycle;
        _access = access;
        _aggregator = aggregator;
        _dataSource = dataSource;
        _jobs = jobs;
        _events = events;
    }

    /// <summary>Approves the suggestion as is, or with the reviewer's edit, creating the next version and its iteration.</summary>
    [RequiresRole(ProjectRole.Reviewer)]
    public async Task<ReviewDecision> ApproveAsync(Actor actor, Guid suggestionId, string note, SuggestionEdit? edit, CancellationToken cancellationToken)
    {
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.Suggestion, suggestionId, ProjectRole.Reviewer, cancellationToken);
        return await ApplyAsync(suggestionId, (actor, projectId), note ?? "", edit, automatic: false, cancellationToken);
    }

    /// <summary>Rejects the suggestion; the note goes to the refiner, which drafts a new one from the recommended version.</summary>
    [RequiresRole(ProjectRole.Reviewer)]
    public async Task<ReviewDecision> RejectAsync(Actor actor, Guid suggestionId, string note, CancellationToken cancellationToken)
    {
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.Suggestion, suggestionId, ProjectRole.Reviewer, cancellationToken);
        return await SendBackAsync(actor, projectId, suggestionId, note, "rejected", "reject", cancellationToken);
    }

    /// <summary>Asks the refiner to try again with the note.</summary>
    [RequiresRole(ProjectRole.Reviewer)]
    public async Task<ReviewDecision> RequestChangesAsync(Actor actor, Guid suggestionId, string note, CancellationToken cancellationToken)
    {
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.Suggestion, suggestionId, ProjectRole.Reviewer, cancellationToken);
        return string.IsNullOrWhiteSpace(note)
            ? ReviewDecision.Refused("Say what to change; the refiner reads your note.")
            : await SendBackAsync(actor, projectId, suggestionId, note, "changes_requested", "request_changes", cancellationToken);
    }

    /// <summary>Ends the loop at an iteration waiting for review, recording who stopped it.</summary>
    [RequiresRole(ProjectRole.Reviewer)]
    public async Task<ReviewDecision> StopAsync(Actor actor, Guid iterationId, CancellationToken cancellationToken)
    {
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.Iteration, iterationId, ProjectRole.Reviewer, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var experimentId = await _lifecycle.CompleteReviewAsync(connection, transaction, iterationId, cancellationToken);
        if (experimentId is null)
        {
            return ReviewDecision.Refused("This iteration is not waiting for review any more.");
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE suggestions SET status = 'superseded' WHERE iteration_id = @iterationId AND status = 'pending'",
            new { iterationId }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "iteration.stop", "iteration", iterationId,
            new { status = IterationStatus.Reviewing }, new { status = IterationStatus.Completed }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await LoopState.StopAsync(connection, iterationId, experimentId.Value,
            new StopDecision("reviewer", "Stopped by a reviewer.", new Dictionary<string, double>()), cancellationToken);
        await _events.PublishAsync(new ExperimentEvent(experimentId.Value, iterationId, ExperimentEvent.StatusChanged, IterationStatus.Completed, 0, 0),
            cancellationToken);
        return new ReviewDecision(true, null);
    }

    /// <summary>
    /// Records a person's scores for an output as their own human judge, counted in statistics and in judge agreement.
    /// Rating again replaces the person's earlier rating.
    /// </summary>
    [RequiresRole(ProjectRole.Reviewer)]
    public async Task<ReviewDecision> RateOutputAsync(Actor actor, Guid outputId, IReadOnlyDictionary<string, int> scores, string note,
        CancellationToken cancellationToken)
    {
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.Output, outputId, ProjectRole.Reviewer, cancellationToken);
        ArgumentNullException.ThrowIfNull(scores);
        var raterId = actor.UserId;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var target = await connection.QuerySingleOrDefaultAsync<(Guid ExperimentId, Guid IterationId, string Rubric)>(new CommandDefinition("""
            SELECT e.id, mr.iteration_id, e.rubric::text FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id
            JOIN iterations i ON i.id = mr.iteration_id JOIN experiments e ON e.id = i.experiment_id
            WHERE o.id = @outputId AND o.status = 'succeeded'
            """, new { outputId }, transaction, cancellationToken: cancellationToken));
        if (target == default)
        {
            return ReviewDecision.Refused("That output does not exist or failed, so there is nothing to rate.");
        }

        var rubric = JsonSerializer.Deserialize<Rubric>(target.Rubric, Json)!;
        foreach (var criterion in rubric.Criteria)
        {
            if (!scores.TryGetValue(criterion.Name, out var score))
            {
                return ReviewDecision.Refused($"Score '{criterion.Name}' too.");
            }

            if (score < criterion.ScaleMin || score > criterion.ScaleMax)
            {
                return ReviewDecision.Refused($"'{criterion.Name}' is scored {criterion.ScaleMin}–{criterion.ScaleMax}.");
            }
        }

        var judgeId = await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
            SELECT id FROM judge_configs WHERE experiment_id = @ExperimentId AND kind = 'human' AND rater_user_id = @raterId
            """, new { target.ExperimentId, raterId }, transaction, cancellationToken: cancellationToken)) ?? Ids.New();
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO judge_configs (id, experiment_id, kind, rater_user_id, position)
            VALUES (@judgeId, @ExperimentId, 'human', @raterId, 1000) ON CONFLICT (id) DO NOTHING;
            INSERT INTO judgments (id, iteration_id, output_id, judge_config_id, mode, pair_key, status, scores, composite, created_by)
            VALUES (@id, @IterationId, @outputId, @judgeId, 'human', '', 'succeeded', @scores::jsonb, @composite, @raterId)
            ON CONFLICT (output_id, judge_config_id, mode, pair_key)
            DO UPDATE SET scores = excluded.scores, composite = excluded.composite, created_at = now();
            INSERT INTO reviews (id, output_id, reviewer_id, decision, note, scores) VALUES (@reviewId, @outputId, @raterId, 'rate', @note, @scores::jsonb);
            """,
            new
            {
                judgeId, target.ExperimentId, target.IterationId, raterId, id = Ids.New(), outputId, reviewId = Ids.New(), note = note ?? "",
                scores = JsonSerializer.Serialize(scores, Json),
                composite = rubric.Criteria.Sum(c => c.Weight * scores[c.Name]) / rubric.Criteria.Sum(c => c.Weight),
            }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "output.rate", "output", outputId, null,
            new { scores, hasNote = !string.IsNullOrWhiteSpace(note) }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // A finished iteration's figures include the new rating at once; a running one counts it when it aggregates.
        var aggregated = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT metrics IS NOT NULL FROM iterations WHERE id = @IterationId", new { target.IterationId }, cancellationToken: cancellationToken));
        if (aggregated)
        {
            await _aggregator.AggregateAsync(target.IterationId, cancellationToken);
        }

        return new ReviewDecision(true, null);
    }

    /// <summary>
    /// Applies the iteration's pending suggestion without a person when the experiment's review mode allows it
    /// (<see cref="AutopilotGuard"/>: autopilot only on a significant improvement over a parent, never without one).
    /// Otherwise it waits.
    /// </summary>
    internal async Task<ReviewDecision?> TryAutoApplyAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(Guid? SuggestionId, string ReviewMode, string? Comparison)>(new CommandDefinition("""
            SELECT s.id, e.review_mode, i.comparison::text
            FROM iterations i JOIN experiments e ON e.id = i.experiment_id
            LEFT JOIN suggestions s ON s.iteration_id = i.id AND s.status = 'pending'
            WHERE i.id = @iterationId AND i.status = 'reviewing'
            """, new { iterationId }, cancellationToken: cancellationToken));
        if (row.SuggestionId is not { } suggestionId)
        {
            return null;
        }

        var comparison = row.Comparison is null ? null : JsonSerializer.Deserialize<VersionComparison>(row.Comparison, Json);
        var (apply, _) = AutopilotGuard.Decide(row.ReviewMode, comparison);
        return apply ? await ApplyAsync(suggestionId, null, "", null, automatic: true, cancellationToken) : null;
    }

    // The reviewer is null when autopilot applies the suggestion: nobody acted, so nothing goes in the audit log.
    private async Task<ReviewDecision> ApplyAsync(Guid suggestionId, (Actor Actor, Guid ProjectId)? reviewer, string note, SuggestionEdit? edit,
        bool automatic, CancellationToken cancellationToken)
    {
        var reviewerId = reviewer?.Actor.UserId;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var s = await LockPendingAsync(connection, transaction, suggestionId, cancellationToken);
        if (s is null)
        {
            return ReviewDecision.Refused("This suggestion was already decided.");
        }

        var template = edit?.Template ?? s.ProposedTemplate;
        var systemText = edit?.SystemText ?? s.ProposedSystemText;
        if (template is null)
        {
            return ReviewDecision.Refused("The refiner produced no prompt here; ask for changes or stop the loop.");
        }

        var problem = await IterationService.CheckVariablesAsync(connection, transaction, template, s.DatasetVersionId, cancellationToken)
            ?? await DroppedVariablesAsync(connection, transaction, s, template, cancellationToken);
        if (problem is not null)
        {
            return ReviewDecision.Refused(problem.Replace("The run did not start", "The edited prompt cannot run", StringComparison.Ordinal));
        }

        var edited = edit is not null && (template != s.ProposedTemplate || systemText != s.ProposedSystemText);
        var changelog = string.IsNullOrWhiteSpace(note) ? s.Note : note.Trim();
        var versionId = await PromptVersionStore.CreateApprovedAsync(connection, transaction,
            new ApprovedVersion(s.ExperimentId, s.SourceVersionId, template, systemText, s.FewShots, changelog, reviewerId, suggestionId),
            cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE suggestions SET status = 'approved', proposed_version_id = @versionId, decided_by = @reviewerId, decided_at = now(),
                                   auto_applied = @automatic
            WHERE id = @suggestionId;
            INSERT INTO reviews (id, suggestion_id, reviewer_id, decision, note, edited_text)
            VALUES (@reviewId, @suggestionId, @reviewerId, @decision, @note, @editedText);
            """,
            new
            {
                versionId, reviewerId, suggestionId, automatic,
                reviewId = Ids.New(), decision = edited ? "edit_approve" : "approve",
                note = automatic ? "Applied by autopilot: the guardrails held." : note, editedText = edited ? template : null,
            }, transaction, cancellationToken: cancellationToken));
        await _lifecycle.CompleteReviewAsync(connection, transaction, s.IterationId, cancellationToken);
        var nextIterationId = await IterationLifecycle.CreateAsync(connection, transaction, s.ExperimentId,
            IterationPlanner.AfterApproval(versionId, s.DatasetVersionId), cancellationToken);
        if (reviewer is { } r)
        {
            await AuditLog.WriteAsync(connection, transaction, r.Actor, r.ProjectId, "suggestion.approve", "suggestion", suggestionId,
                new { status = "pending" }, new { status = "approved", edited, versionId, nextIterationId }, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);

        await _events.PublishAsync(new ExperimentEvent(s.ExperimentId, s.IterationId, ExperimentEvent.StatusChanged, IterationStatus.Completed, 0, 0),
            cancellationToken);
        await IterationService.HandOverAsync(_jobs, _events, s.ExperimentId, nextIterationId, cancellationToken);
        return new ReviewDecision(true, null, versionId, nextIterationId);
    }

    // An edit may not drop a variable the source template used and the cases fill in: the model would never see that part of the case.
    private static async Task<string?> DroppedVariablesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, SuggestionRow s,
        string template, CancellationToken cancellationToken)
    {
        var source = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT template FROM prompt_versions WHERE id = @SourceVersionId", new { s.SourceVersionId }, transaction,
            cancellationToken: cancellationToken));
        var provided = (await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT DISTINCT k FROM dataset_version_cases dvc
            JOIN case_versions cv ON cv.case_id = dvc.case_id AND cv.version = dvc.case_version, jsonb_object_keys(cv.input) k
            WHERE dvc.dataset_version_id = @DatasetVersionId
            """, new { s.DatasetVersionId }, transaction, cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
        if (!PromptTemplate.TryParse(source ?? "", out var before, out _) || !PromptTemplate.TryParse(template, out var after, out _))
        {
            return null;
        }

        var dropped = before!.Variables.Where(v => provided.Contains(v) && !after!.Variables.Contains(v)).ToList();
        return dropped.Count == 0
            ? null
            : $"The edited prompt no longer uses {string.Join(", ", dropped.Select(v => "{{ " + v + " }}"))}, which the cases fill in; "
              + "put it back, or the model never sees that part of each case.";
    }

    private async Task<ReviewDecision> SendBackAsync(Actor actor, Guid projectId, Guid suggestionId, string note, string status, string decision,
        CancellationToken cancellationToken)
    {
        var reviewerId = actor.UserId;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var s = await LockPendingAsync(connection, transaction, suggestionId, cancellationToken, includeFailed: true);
        if (s is null)
        {
            return ReviewDecision.Refused("This suggestion was already decided.");
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE suggestions SET status = CASE WHEN status = 'failed' THEN 'failed' ELSE @status END, decided_by = @reviewerId, decided_at = now()
            WHERE id = @suggestionId;
            INSERT INTO reviews (id, suggestion_id, reviewer_id, decision, note) VALUES (@reviewId, @suggestionId, @reviewerId, @decision, @note);
            """, new { status, reviewerId, suggestionId, reviewId = Ids.New(), decision, note = note?.Trim() ?? "" }, transaction,
            cancellationToken: cancellationToken));
        await _lifecycle.ReturnToRefinerAsync(connection, transaction, s.IterationId, cancellationToken);
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "suggestion." + decision.Replace('_', '-'), "suggestion", suggestionId,
            new { status = "pending" }, new { status }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        await _jobs.EnqueueAsync(new JobRequest(WorkerJobs.RefineIteration, $"refine:{s.IterationId}:{Ids.New():N}",
            new Dictionary<string, string> { [WorkerJobs.Keys.IterationId] = s.IterationId.ToString() }, JobPriority.Interactive), cancellationToken);
        await _events.PublishAsync(new ExperimentEvent(s.ExperimentId, s.IterationId, ExperimentEvent.StatusChanged, IterationStatus.Refining, 0, 0),
            cancellationToken);
        return new ReviewDecision(true, null);
    }

    private static async Task<SuggestionRow?> LockPendingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid suggestionId,
        CancellationToken cancellationToken, bool includeFailed = false) =>
        await connection.QuerySingleOrDefaultAsync<SuggestionRow>(new CommandDefinition("""
            SELECT s.id, s.iteration_id, i.experiment_id, i.dataset_version_id, s.source_version_id, s.proposed_template, s.proposed_system_text,
                   s.proposed_few_shots::text AS few_shots, s.note
            FROM suggestions s JOIN iterations i ON i.id = s.iteration_id
            WHERE s.id = @suggestionId AND i.status = 'reviewing'
              AND (s.status = 'pending' OR (@includeFailed AND s.status = 'failed' AND s.decided_at IS NULL))
            FOR UPDATE OF s, i
            """, new { suggestionId, includeFailed }, transaction, cancellationToken: cancellationToken));

    private sealed record SuggestionRow(Guid Id, Guid IterationId, Guid ExperimentId, Guid DatasetVersionId, Guid SourceVersionId,
        string? ProposedTemplate, string ProposedSystemText, string FewShots, string Note);
}

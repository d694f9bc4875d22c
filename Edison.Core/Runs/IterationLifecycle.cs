using Dapper;
using Edison.Core.Persistence;
using Npgsql;

namespace Edison.Core.Runs;

/// <summary>
/// The iteration as an aggregate: the only code that writes <c>iterations.status</c>, including the insert that creates an
/// iteration. Every change of state is one of the named transitions below, and each is a compare-and-set
/// (<c>UPDATE … WHERE id = @id AND status = ANY (@from)</c>), so exactly one caller wins however many workers, sweepers and
/// people race; a transition whose guard does not hold changes nothing and answers null. A transition into a terminal state
/// (<see cref="IterationStatus.Terminal"/>) stamps <c>finished_at</c>; <see cref="StartExecuting"/> stamps <c>started_at</c>.
/// </summary>
/// <remarks>
/// The methods that take a connection and transaction write in the caller's transaction (a review decision, a cancel and its
/// audit row commit together); the others use their own connection. Callers publish the status event themselves, after
/// their commit. To add a state and its transitions (say "judging failed" and a re-judge):
/// <list type="number">
/// <item>add its constant to <see cref="IterationStatus"/> and to <see cref="IterationStatus.All"/> (and to
/// <see cref="IterationStatus.Terminal"/> if no work follows it);</item>
/// <item>add a migration that widens the check constraint <c>iterations_status_check</c> to the new value;</item>
/// <item>add one <see cref="IterationTransition"/> field per step here (name, target, allowed sources) and one named method that
/// calls <see cref="TryAsync(IterationTransition, Guid, CancellationToken)"/> or the in-transaction overload with it;</item>
/// <item>add the transitions to <see cref="Transitions"/>, which the unit tests read.</item>
/// </list>
/// </remarks>
internal sealed class IterationLifecycle(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// A worker picks the new iteration up.
    public static readonly IterationTransition StartExecuting = new(nameof(StartExecuting), IterationStatus.Executing, IterationStatus.Pending);

    /// Every output exists.
    public static readonly IterationTransition StartJudging = new(nameof(StartJudging), IterationStatus.Judging, IterationStatus.Executing);

    /// Every judgment exists.
    public static readonly IterationTransition StartAggregating = new(nameof(StartAggregating), IterationStatus.Aggregating, IterationStatus.Judging);

    /// Every judgment exists, but too few are valid to score on (<see cref="JudgingHealth"/>).
    public static readonly IterationTransition FailJudging = new(nameof(FailJudging), IterationStatus.JudgingFailed, IterationStatus.Judging);

    /// A person re-judges the failed verdicts of an iteration whose judging failed.
    public static readonly IterationTransition Rejudge = new(nameof(Rejudge), IterationStatus.Judging, IterationStatus.JudgingFailed);

    /// The statistics exist and no stop rule fired.
    public static readonly IterationTransition StartRefining = new(nameof(StartRefining), IterationStatus.Refining, IterationStatus.Aggregating);

    /// The statistics exist and the run ends here: a stop rule fired, or it was a scheduled regression run.
    public static readonly IterationTransition CompleteMeasured = new(nameof(CompleteMeasured), IterationStatus.Completed, IterationStatus.Aggregating);

    /// The refiner stored its suggestion (or its failure).
    public static readonly IterationTransition AwaitReview = new(nameof(AwaitReview), IterationStatus.Reviewing, IterationStatus.Refining);

    /// A reviewer rejected the suggestion or asked for changes: the refiner tries again.
    public static readonly IterationTransition ReturnToRefiner = new(nameof(ReturnToRefiner), IterationStatus.Refining, IterationStatus.Reviewing);

    /// The suggestion was approved (by a person or autopilot), or a reviewer stopped the loop.
    public static readonly IterationTransition CompleteReview = new(nameof(CompleteReview), IterationStatus.Completed, IterationStatus.Reviewing);

    /// A person cancelled the unfinished iteration.
    public static readonly IterationTransition Cancel = new(nameof(Cancel), IterationStatus.Cancelled, [.. IterationStatus.Unfinished]);

    /// The experiment's spend reached its budget.
    public static readonly IterationTransition StopOnBudget = new(nameof(StopOnBudget), IterationStatus.Cancelled, [.. IterationStatus.Unfinished]);

    /// An error that needs a person ended the unfinished iteration.
    public static readonly IterationTransition Fail = new(nameof(Fail), IterationStatus.Failed, [.. IterationStatus.Unfinished]);

    /// <summary>Every transition, for the state-machine tests.</summary>
    public static IReadOnlyList<IterationTransition> Transitions { get; } =
        [StartExecuting, StartJudging, FailJudging, Rejudge, StartAggregating, StartRefining, CompleteMeasured, AwaitReview, ReturnToRefiner, CompleteReview, Cancel,
         StopOnBudget, Fail];

    /// Creates iteration n+1 of the experiment, pending, on the version and dataset version <paramref name="plan"/> chose, with one
    /// model run per enabled model, inside the caller's transaction. Its parent iteration is the latest aggregated iteration of
    /// the version's parent on the same cases: the one a paired comparison is made against.
    public static async Task<Guid> CreateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid experimentId, IterationPlan plan,
        CancellationToken cancellationToken)
    {
        var iterationId = Ids.New();
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO iterations (id, experiment_id, number, prompt_version_id, dataset_version_id, status, parent_iteration_id)
            VALUES (@iterationId, @experimentId, (SELECT coalesce(max(number), 0) + 1 FROM iterations WHERE experiment_id = @experimentId),
                    @PromptVersionId, @DatasetVersionId, @pending,
                    (SELECT i.id FROM iterations i JOIN prompt_versions pv ON pv.parent_id = i.prompt_version_id
                     WHERE pv.id = @PromptVersionId AND i.dataset_version_id = @DatasetVersionId AND i.metrics IS NOT NULL
                       AND i.status <> @cancelled
                     ORDER BY i.number DESC LIMIT 1));
            INSERT INTO model_runs (id, iteration_id, model_config_id)
            SELECT gen_random_uuid(), @iterationId, id FROM model_configs WHERE experiment_id = @experimentId AND is_enabled;
            UPDATE experiments SET status = 'running', stop_reason = NULL, stop_details = NULL, updated_at = now() WHERE id = @experimentId;
            """, new
        {
            iterationId, experimentId, plan.PromptVersionId, plan.DatasetVersionId, pending = IterationStatus.Pending,
            cancelled = IterationStatus.Cancelled,
        }, transaction, cancellationToken: cancellationToken));
        return iterationId;
    }

    /// <summary>Pending → executing.</summary>
    public Task<Guid?> StartExecutingAsync(Guid iterationId, CancellationToken cancellationToken) => TryAsync(StartExecuting, iterationId, cancellationToken);

    /// <summary>Executing → judging.</summary>
    public Task<Guid?> StartJudgingAsync(Guid iterationId, CancellationToken cancellationToken) => TryAsync(StartJudging, iterationId, cancellationToken);

    /// <summary>Judging → aggregating.</summary>
    public Task<Guid?> StartAggregatingAsync(Guid iterationId, CancellationToken cancellationToken) =>
        TryAsync(StartAggregating, iterationId, cancellationToken);

    /// <summary>Judging → judging failed, with the reason a person reads on the iteration page.</summary>
    public async Task<Guid?> FailJudgingAsync(Guid iterationId, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var experimentId = await TryAsync(connection, transaction, FailJudging, iterationId, null, cancellationToken);
        if (experimentId is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition("UPDATE iterations SET error = @reason WHERE id = @iterationId",
                new { iterationId, reason }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return experimentId;
    }

    /// <summary>Judging failed → judging, in the caller's transaction.</summary>
    public Task<Guid?> RejudgeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid iterationId, CancellationToken cancellationToken) =>
        TryAsync(connection, transaction, Rejudge, iterationId, null, cancellationToken);

    /// <summary>Aggregating → refining.</summary>
    public Task<Guid?> StartRefiningAsync(Guid iterationId, CancellationToken cancellationToken) => TryAsync(StartRefining, iterationId, cancellationToken);

    /// <summary>Aggregating → completed.</summary>
    public Task<Guid?> CompleteMeasuredAsync(Guid iterationId, CancellationToken cancellationToken) =>
        TryAsync(CompleteMeasured, iterationId, cancellationToken);

    /// <summary>Refining → reviewing.</summary>
    public Task<Guid?> AwaitReviewAsync(Guid iterationId, CancellationToken cancellationToken) => TryAsync(AwaitReview, iterationId, cancellationToken);

    /// <summary>Reviewing → refining, in the caller's transaction.</summary>
    public Task<Guid?> ReturnToRefinerAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid iterationId,
        CancellationToken cancellationToken) => TryAsync(connection, transaction, ReturnToRefiner, iterationId, null, cancellationToken);

    /// <summary>Reviewing → completed, in the caller's transaction.</summary>
    public Task<Guid?> CompleteReviewAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid iterationId,
        CancellationToken cancellationToken) => TryAsync(connection, transaction, CompleteReview, iterationId, null, cancellationToken);

    /// <summary>Any unfinished state → cancelled with the reason, in the caller's transaction.</summary>
    public Task<Guid?> CancelAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid iterationId, string reason,
        CancellationToken cancellationToken) => TryAsync(connection, transaction, Cancel, iterationId, reason, cancellationToken);

    /// <summary>
    /// Any unfinished state → cancelled for the budget, with the reason and the iteration's recorded cost, in the caller's
    /// transaction.
    /// </summary>
    public Task<Guid?> StopOnBudgetAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid iterationId, string reason,
        CancellationToken cancellationToken) => TryAsync(connection, transaction, StopOnBudget, iterationId, reason, cancellationToken);

    /// <summary>Any unfinished state → failed, with the error a person reads.</summary>
    public async Task<Guid?> FailAsync(Guid iterationId, string error, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var experimentId = await TryAsync(connection, transaction, Fail, iterationId, null, cancellationToken);
        if (experimentId is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition("UPDATE iterations SET error = @error WHERE id = @iterationId",
                new { iterationId, error }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return experimentId;
    }

    /// Takes the transition on its own connection; the experiment's id when it was taken, null when the guard did not hold.
    private async Task<Guid?> TryAsync(IterationTransition transition, Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await TryAsync(connection, null, transition, iterationId, null, cancellationToken);
    }

    private async Task<Guid?> TryAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IterationTransition transition, Guid iterationId,
        string? stopReason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
            UPDATE iterations SET status = @to,
                started_at = CASE WHEN @starts THEN @now ELSE started_at END,
                finished_at = CASE WHEN @ends THEN @now ELSE finished_at END,
                stop_reason = coalesce(@stopReason, stop_reason),
                cost_usd = CASE WHEN @recountCost THEN (SELECT coalesce(sum(cost_usd), 0) FROM llm_calls WHERE iteration_id = @iterationId)
                                ELSE cost_usd END
            WHERE id = @iterationId AND status = ANY (@from)
            RETURNING experiment_id
            """, new
        {
            iterationId, to = transition.To, from = transition.From, now, stopReason, starts = transition == StartExecuting, ends = transition.Ends,
            recountCost = transition == StopOnBudget,
        }, transaction, cancellationToken: cancellationToken));
    }
}

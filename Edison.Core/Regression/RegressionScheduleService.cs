using Dapper;
using Edison.Core.Security;
using Npgsql;

namespace Edison.Core.Regression;

/// <summary>
/// Sets, reads and turns off an experiment's scheduled regression runs and webhook, and lists and acknowledges the alerts
/// they raise. The schedule row and the job store's trigger are written together; the trigger is what fires.
/// </summary>
public sealed class RegressionScheduleService
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IRegressionScheduler _scheduler;
    private readonly WebhookSecretProtector _secrets;
    private readonly ProjectAccess _access;

    internal RegressionScheduleService(NpgsqlDataSource dataSource, IRegressionScheduler scheduler, WebhookSecretProtector secrets,
        ProjectAccess access)
    {
        _access = access;
        _dataSource = dataSource;
        _scheduler = scheduler;
        _secrets = secrets;
    }

    /// <summary>Whether a plain-http webhook to this machine is accepted (Development only).</summary>
    internal bool AllowPlainHttpLoopback { get; init; }

    /// <summary>The schedule, its next run, open alerts and the latest runs of one experiment.</summary>
    public async Task<RegressionOverview> GetAsync(Guid experimentId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var schedule = await connection.QuerySingleOrDefaultAsync<RegressionSchedule>(new CommandDefinition("""
            SELECT experiment_id, cron, description, webhook_url, webhook_secret_protected IS NOT NULL AS has_webhook_secret, updated_at
            FROM regression_schedules WHERE experiment_id = @experimentId
            """, new { experimentId }, cancellationToken: cancellationToken));
        var alerts = await connection.QueryAsync<RegressionAlert>(new CommandDefinition(AlertSelect + """
             WHERE a.experiment_id = @experimentId AND a.acknowledged_at IS NULL ORDER BY a.created_at DESC
            """, new { experimentId }, cancellationToken: cancellationToken));
        var runs = await connection.QueryAsync<RegressionRunRow>(new CommandDefinition("""
            SELECT r.id, r.iteration_id, i.number AS iteration_number, i.status AS iteration_status, r.prompt_version, r.outcome, r.detail,
                   r.started_at, r.finished_at
            FROM regression_runs r LEFT JOIN iterations i ON i.id = r.iteration_id
            WHERE r.experiment_id = @experimentId ORDER BY r.started_at DESC LIMIT 5
            """, new { experimentId }, cancellationToken: cancellationToken));
        var next = schedule is null ? null : await _scheduler.NextRunAsync(experimentId, cancellationToken);
        return new RegressionOverview(schedule, next, alerts.AsList(), runs.AsList());
    }

    /// <summary>
    /// Saves the schedule and webhook (or removes both when <paramref name="choice"/> is off). A signing secret is made the
    /// first time a webhook is set and whenever <paramref name="newSecret"/> asks for one.
    /// </summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<ScheduleSaveResult> SaveAsync(Actor actor, Guid experimentId, ScheduleChoice choice, string? webhookUrl, bool newSecret,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(choice);
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.Experiment, experimentId, ProjectRole.Editor, cancellationToken);
        var userId = actor.UserId;
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var (cron, field, error) = choice.ToCron();
        if (error is not null)
        {
            errors[field!] = error;
        }
        else if (cron is not null && _scheduler.Validate(cron) is { } cronError)
        {
            errors[nameof(ScheduleChoice.CustomCron)] = cronError;
        }

        webhookUrl = string.IsNullOrWhiteSpace(webhookUrl) ? null : webhookUrl.Trim();
        if (webhookUrl is not null && WebhookUrl.Validate(webhookUrl, AllowPlainHttpLoopback) is { } urlError)
        {
            errors["WebhookUrl"] = urlError;
        }

        if (errors.Count > 0)
        {
            return new ScheduleSaveResult(errors, null);
        }

        // The audit row names the webhook's host only (its path often is the secret); the signing secret never appears. The row is
        // written with the change it records.
        var summary = new { cron, description = cron is null ? null : choice.Describe(), webhookUrl = WebhookAddress.Masked(webhookUrl), newSecret };
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        if (cron is null)
        {
            await TurnOffAsync(experimentId, cancellationToken);
            await AuditLog.WriteAsync(connection, null, actor, projectId, "regression-schedule.off", "experiment", experimentId, null, summary,
                cancellationToken);
            return new ScheduleSaveResult(errors, null);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var hasSecret = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM regression_schedules WHERE experiment_id = @experimentId AND webhook_secret_protected IS NOT NULL)",
            new { experimentId }, transaction, cancellationToken: cancellationToken));
        var secret = webhookUrl is not null && (newSecret || !hasSecret) ? WebhookSignature.NewSecret() : null;
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO regression_schedules (experiment_id, cron, description, webhook_url, webhook_secret_protected, updated_by)
            VALUES (@experimentId, @cron, @description, @webhookUrl, @protectedSecret, @userId)
            ON CONFLICT (experiment_id) DO UPDATE SET cron = excluded.cron, description = excluded.description, webhook_url = excluded.webhook_url,
                webhook_secret_protected = coalesce(excluded.webhook_secret_protected, regression_schedules.webhook_secret_protected),
                updated_by = excluded.updated_by, updated_at = now()
            """, new { experimentId, cron, description = choice.Describe(), webhookUrl, protectedSecret = secret is null ? null : _secrets.Protect(secret), userId },
            transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "regression-schedule.set", "experiment", experimentId, null, summary,
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await _scheduler.ScheduleAsync(experimentId, cron, cancellationToken);
        return new ScheduleSaveResult(errors, secret);
    }

    /// <summary>Removes the schedule, its webhook and its trigger; alerts already raised stay.</summary>
    internal async Task TurnOffAsync(Guid experimentId, CancellationToken cancellationToken)
    {
        await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken))
        {
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM regression_schedules WHERE experiment_id = @experimentId",
                new { experimentId }, cancellationToken: cancellationToken));
        }

        await _scheduler.UnscheduleAsync(experimentId, cancellationToken);
    }

    /// <summary>Marks an open alert of the experiment as seen; false when it is not open or belongs to another experiment.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<bool> AcknowledgeAsync(Actor actor, Guid experimentId, Guid alertId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.Experiment, experimentId, ProjectRole.Editor, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE regression_alerts SET acknowledged_at = now(), acknowledged_by = @userId
            WHERE id = @alertId AND experiment_id = @experimentId AND acknowledged_at IS NULL
            """, new { alertId, experimentId, userId = actor.UserId }, transaction, cancellationToken: cancellationToken));
        if (changed == 1)
        {
            await AuditLog.WriteAsync(connection, transaction, actor, projectId, "regression-alert.acknowledge", "regression_alert", alertId, null,
                new { experimentId }, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return changed == 1;
    }

    /// <summary>The project's open alerts, newest first: what the review queue lists and the navigation counts.</summary>
    public async Task<IReadOnlyList<RegressionAlert>> ListOpenAsync(Guid projectId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<RegressionAlert>(new CommandDefinition(AlertSelect + """
             WHERE e.project_id = @projectId AND a.acknowledged_at IS NULL ORDER BY a.created_at DESC
            """, new { projectId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    private const string AlertSelect = """
        SELECT a.id, a.experiment_id, e.name AS experiment_name, a.iteration_id, i.number AS iteration_number, a.baseline_iteration_id,
               a.prompt_version, a.cases, a.mean_difference, a.ci_low, a.ci_high, a.p_value, a.message, a.webhook_status, a.created_at,
               a.acknowledged_at
        FROM regression_alerts a JOIN experiments e ON e.id = a.experiment_id JOIN iterations i ON i.id = a.iteration_id
        """;
}

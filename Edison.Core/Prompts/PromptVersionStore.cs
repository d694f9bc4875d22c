using Dapper;
using Edison.Core.Persistence;
using Edison.Core.Security;
using Npgsql;

namespace Edison.Core.Prompts;

/// <summary>
/// The one writer of prompt versions, for the pages, the API, review and autopilot: it creates them (the seed, a hand-written
/// candidate, an approved suggestion), restores an old one as the newest, and moves labels. Versions are never edited in
/// place. Each operation a person takes writes one audit action: <c>prompt-version.create</c>, <c>prompt-version.restore</c>,
/// <c>prompt-version.label</c> (an approval is audited as the review decision it is).
/// </summary>
public sealed class PromptVersionStore
{
    /// <summary>The label that marks the version running in production.</summary>
    public const string ProductionLabel = "production";

    private readonly NpgsqlDataSource _dataSource;
    private readonly ProjectAccess _access;

    internal PromptVersionStore(NpgsqlDataSource dataSource, ProjectAccess access)
    {
        _dataSource = dataSource;
        _access = access;
    }

    /// <summary>
    /// Adds a version derived from <paramref name="parentVersion"/> (a hand-written candidate, e.g. from a pull request), keeping
    /// the parent's system text unless one is given; its id, or null when the parent does not exist.
    /// </summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<Guid?> CreateAsync(Actor actor, Guid experimentId, int parentVersion, string template, string? systemText, string changelog,
        CancellationToken cancellationToken)
    {
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.Experiment, experimentId, ProjectRole.Editor, cancellationToken);
        ArgumentException.ThrowIfNullOrWhiteSpace(template);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var id = Ids.New();
        var inserted = await connection.ExecuteAsync(new CommandDefinition("""
            SELECT pg_advisory_xact_lock(hashtextextended(@experimentId::text, 10));
            INSERT INTO prompt_versions (id, experiment_id, version, parent_id, template, system_text, few_shots, tools_schema, response_format, changelog)
            SELECT @id, @experimentId, (SELECT max(version) + 1 FROM prompt_versions WHERE experiment_id = @experimentId), p.id, @template,
                   coalesce(@systemText, p.system_text), p.few_shots, p.tools_schema, p.response_format, @changelog
            FROM prompt_versions p WHERE p.experiment_id = @experimentId AND p.version = @parentVersion
            """, new { id, experimentId, parentVersion, template, systemText, changelog }, transaction, cancellationToken: cancellationToken));
        if (inserted == 0)
        {
            return null;
        }

        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "prompt-version.create", "prompt_version", id, null,
            new { experimentId, parentVersion, changelog }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return id;
    }

    /// <summary>Copies a version as the experiment's newest version (its parent is the copied version); returns the new number.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<int?> RestoreAsync(Actor actor, Guid experimentId, Guid versionId, CancellationToken cancellationToken)
    {
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.Experiment, experimentId, ProjectRole.Editor, cancellationToken);
        var userId = actor.UserId;
        var id = Ids.New();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT 1 FROM experiments WHERE id = @experimentId FOR UPDATE",
            new { experimentId }, transaction, cancellationToken: cancellationToken));
        var number = await connection.ExecuteScalarAsync<int?>(new CommandDefinition("""
            INSERT INTO prompt_versions (id, experiment_id, version, parent_id, template, system_text, few_shots, tools_schema, response_format,
                                         changelog, created_by)
            SELECT @id, p.experiment_id, (SELECT max(version) + 1 FROM prompt_versions WHERE experiment_id = @experimentId), p.id, p.template,
                   p.system_text, p.few_shots, p.tools_schema, p.response_format, 'Restored from v' || p.version, @userId
            FROM prompt_versions p WHERE p.id = @versionId AND p.experiment_id = @experimentId
            RETURNING version
            """, new { id, experimentId, versionId, userId }, transaction, cancellationToken: cancellationToken));
        if (number is null)
        {
            return null;
        }

        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "prompt-version.restore", "prompt_version", id, null,
            new { experimentId, restoredFrom = versionId, version = number }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return number;
    }

    /// <summary>Puts <paramref name="label"/> on version <paramref name="version"/> and takes it off the others; false when there is no such version.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public Task<bool> SetLabelAsync(Actor actor, Guid experimentId, int version, string label, CancellationToken cancellationToken) =>
        SetLabelAsync(actor, experimentId, null, version, label, cancellationToken);

    /// <summary>Puts <paramref name="label"/> on one version of the experiment and takes it off the others; false when the version is not the experiment's.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public Task<bool> SetLabelAsync(Actor actor, Guid experimentId, Guid versionId, string label, CancellationToken cancellationToken) =>
        SetLabelAsync(actor, experimentId, versionId, null, label, cancellationToken);

    private async Task<bool> SetLabelAsync(Actor actor, Guid experimentId, Guid? versionId, int? version, string label,
        CancellationToken cancellationToken)
    {
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.Experiment, experimentId, ProjectRole.Editor, cancellationToken);
        ArgumentException.ThrowIfNullOrWhiteSpace(label);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var target = await connection.QuerySingleOrDefaultAsync<(Guid Id, int Version)>(new CommandDefinition("""
            SELECT id, version FROM prompt_versions
            WHERE experiment_id = @experimentId AND (id = @versionId OR version = @version)
            FOR UPDATE
            """, new { experimentId, versionId, version }, transaction, cancellationToken: cancellationToken));
        if (target == default)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE prompt_versions SET labels = array_remove(labels, @label)
            WHERE experiment_id = @experimentId AND id <> @Id AND @label = ANY (labels);
            UPDATE prompt_versions SET labels = array_append(array_remove(labels, @label), @label) WHERE id = @Id;
            """, new { experimentId, target.Id, label }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "prompt-version.label", "prompt_version", target.Id, null,
            new { experimentId, version = target.Version, label }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// Version 1 of a new experiment, in the caller's transaction (the experiment's creation is the audited operation).
    internal static Task CreateSeedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid experimentId, Guid id, string template,
        string systemText, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO prompt_versions (id, experiment_id, version, template, system_text, changelog, labels)
            VALUES (@id, @experimentId, 1, @template, @systemText, 'Seed prompt', '{}')
            """, new { id, experimentId, template, systemText }, transaction, cancellationToken: cancellationToken));

    /// The next version from an approved suggestion (by a reviewer, or autopilot when nobody approved it), in the
    /// caller's transaction, which holds the suggestion and its iteration; its id.
    internal static async Task<Guid> CreateApprovedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ApprovedVersion approved,
        CancellationToken cancellationToken)
    {
        var versionId = Ids.New();
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO prompt_versions (id, experiment_id, version, parent_id, template, system_text, few_shots, changelog, approved_by, approved_at,
                                         suggestion_id)
            VALUES (@versionId, @ExperimentId, (SELECT max(version) + 1 FROM prompt_versions WHERE experiment_id = @ExperimentId), @ParentVersionId,
                    @Template, @SystemText, @FewShots::jsonb, @Changelog, @ApprovedBy, now(), @SuggestionId)
            """, new
        {
            versionId, approved.ExperimentId, approved.ParentVersionId, approved.Template, approved.SystemText, approved.FewShots, approved.Changelog,
            approved.ApprovedBy, approved.SuggestionId,
        }, transaction, cancellationToken: cancellationToken));
        return versionId;
    }
}

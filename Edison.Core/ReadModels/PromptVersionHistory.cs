using System.Text.Json;
using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.Persistence;
using Edison.Core.Refining;
using Edison.Core.Security;
using Npgsql;

namespace Edison.Core.ReadModels;

/// <summary>
/// An experiment's prompt versions for the versions page: the history, a diff between any two, restoring an old version as
/// the newest, and moving the production label. Versions are never edited in place.
/// </summary>
public sealed class PromptVersionHistory
{
    /// <summary>The label of the version to ship.</summary>
    public const string ProductionLabel = "production";

    private static readonly JsonSerializerOptions Json = LoopJson.Options;
    private readonly NpgsqlDataSource _dataSource;
    private readonly ProjectAccess _access;

    internal PromptVersionHistory(NpgsqlDataSource dataSource, ProjectAccess access)
    {
        _dataSource = dataSource;
        _access = access;
    }

    /// <summary>Every version of the experiment, newest first, and the experiment's name; null when it does not exist.</summary>
    public async Task<(string Name, Guid? RecommendedVersionId, IReadOnlyList<PromptVersionText> Versions)?> ListAsync(Guid experimentId,
        CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition("""
            SELECT name, recommended_version_id FROM experiments WHERE id = @experimentId;
            SELECT p.id, p.version, pp.version AS parent_version, p.template, p.system_text, p.few_shots::text AS few_shots, p.changelog, p.labels,
                   p.created_at
            FROM prompt_versions p LEFT JOIN prompt_versions pp ON pp.id = p.parent_id
            WHERE p.experiment_id = @experimentId ORDER BY p.version DESC;
            """, new { experimentId }, cancellationToken: cancellationToken));
        var e = await grid.ReadSingleOrDefaultAsync<(string Name, Guid? RecommendedVersionId)>();
        if (e == default)
        {
            return null;
        }

        return (e.Name, e.RecommendedVersionId, (await grid.ReadAsync<PromptVersionText>()).ToList());
    }

    /// <summary>The unified diff from one version to another, labelled v{from} and v{to}; empty when they read the same.</summary>
    public static string Diff(PromptVersionText from, PromptVersionText to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        return PromptDiff.Unified(Fields(from), Fields(to), $"v{from.Version}", $"v{to.Version}");
    }

    /// <summary>The word-level changes of each field from one version to another, for the side-by-side view.</summary>
    public static IReadOnlyList<FieldWordDiff> WordDiff(PromptVersionText from, PromptVersionText to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        return PromptDiff.Words(Fields(from), Fields(to));
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

    /// <summary>Moves the production label to one version of the experiment; false when the version is not the experiment's.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<bool> SetProductionAsync(Actor actor, Guid experimentId, Guid versionId, CancellationToken cancellationToken)
    {
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.Experiment, experimentId, ProjectRole.Editor, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var found = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM prompt_versions WHERE id = @versionId AND experiment_id = @experimentId)",
            new { experimentId, versionId }, transaction, cancellationToken: cancellationToken));
        if (!found)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE prompt_versions SET labels = array_remove(labels, @label) WHERE experiment_id = @experimentId AND @label = ANY(labels);
            UPDATE prompt_versions SET labels = array_append(labels, @label) WHERE id = @versionId;
            """, new { experimentId, versionId, label = ProductionLabel }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "prompt-version.production", "prompt_version", versionId, null,
            new { experimentId, label = ProductionLabel }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static PromptFields Fields(PromptVersionText v) =>
        new(v.SystemText, v.Template, JsonSerializer.Deserialize<List<FewShotExample>>(v.FewShots, Json) ?? []);
}

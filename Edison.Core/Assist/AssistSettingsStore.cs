using Dapper;
using Edison.Core.Security;
using Npgsql;

namespace Edison.Core.Assist;

/// <summary>Which model answers AI assist, per project.</summary>
public sealed class AssistSettingsStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly ProjectAccess _access;

    internal AssistSettingsStore(NpgsqlDataSource dataSource, ProjectAccess access)
    {
        _dataSource = dataSource;
        _access = access;
    }

    /// <summary>The project's assist model, or null when none is set (or its credential is disabled).</summary>
    public async Task<AssistModelSetting?> GetAsync(Guid projectId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(Guid CredentialId, string Model)?>(new CommandDefinition("""
            SELECT s.credential_id, s.model FROM project_assist_settings s
            JOIN provider_credentials c ON c.id = s.credential_id AND c.project_id = s.project_id AND NOT c.is_disabled
            WHERE s.project_id = @projectId
            """, new { projectId }, cancellationToken: cancellationToken));
        return row is { } r ? new AssistModelSetting(r.CredentialId, r.Model) : null;
    }

    /// <summary>Sets the project's assist model; returns an error in words when the credential is not the project's.</summary>
    [RequiresRole(ProjectRole.Admin)]
    public async Task<string?> SetAsync(Actor actor, Guid projectId, AssistModelSetting setting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setting);
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Admin, cancellationToken);
        if (string.IsNullOrWhiteSpace(setting.Model))
        {
            return "Name the model that answers assist.";
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO project_assist_settings (project_id, credential_id, model)
            SELECT @projectId, id, @model FROM provider_credentials WHERE id = @credentialId AND project_id = @projectId
            ON CONFLICT (project_id) DO UPDATE SET credential_id = excluded.credential_id, model = excluded.model, updated_at = now()
            """, new { projectId, setting.CredentialId, model = setting.Model.Trim() }, transaction, cancellationToken: cancellationToken));
        if (changed == 0)
        {
            return "Choose one of this project's credentials.";
        }

        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "assist-model.set", "project", projectId, null,
            new { setting.CredentialId, model = setting.Model.Trim() }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return null;
    }
}

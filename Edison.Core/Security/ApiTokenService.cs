using Dapper;
using Edison.Core.Persistence;
using Npgsql;

namespace Edison.Core.Security;

/// <summary>
/// API tokens for the JSON API: per user and project, a role no higher than the user's, shown once, stored as a SHA-256 hash,
/// revocable, with the time of last use.
/// </summary>
public sealed class ApiTokenService
{
    private const string Prefix = "edison_";
    private readonly NpgsqlDataSource _dataSource;
    private readonly ProjectAccess _access;

    internal ApiTokenService(NpgsqlDataSource dataSource, ProjectAccess access)
    {
        _dataSource = dataSource;
        _access = access;
    }

    /// <summary>Creates a token and returns it; this is the only time its value is seen.</summary>
    [RequiresRole(ProjectRole.Viewer)]
    public async Task<(Guid Id, string Token)> CreateAsync(Actor actor, Guid projectId, string name, ProjectRole role,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await _access.EnsureRoleAsync(actor, projectId, role, cancellationToken);
        var token = SecretTokens.New(Prefix);
        var id = Ids.New();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO api_tokens (id, user_id, project_id, name, token_hash, role) VALUES (@id, @UserId, @projectId, @name, @hash, @role)
            """, new { id, actor.UserId, projectId, name = name.Trim(), hash = SecretTokens.Hash(token), role = role.ToText() }, transaction,
            cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "api-token.created", "api-token", id, null,
            new { name = name.Trim(), role = role.ToText() }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (id, token);
    }

    /// <summary>The project's tokens the actor may see: their own, or every member's for an admin; live ones first, newest first.</summary>
    [RequiresRole(ProjectRole.Viewer)]
    public async Task<IReadOnlyList<ApiTokenSummary>> ListAsync(Actor actor, Guid projectId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Viewer, cancellationToken);
        var all = actor.RoleCap is null && await _access.RoleOfAsync(actor.UserId, projectId, cancellationToken) >= ProjectRole.Admin;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(Guid Id, Guid UserId, string Email, string Name, string Role, DateTime CreatedAt, DateTime? LastUsedAt,
            DateTime? RevokedAt)>(new CommandDefinition("""
            SELECT t.id, t.user_id, u.email, t.name, t.role, t.created_at, t.last_used_at, t.revoked_at
            FROM api_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.project_id = @projectId AND (@all OR t.user_id = @UserId)
            ORDER BY t.revoked_at IS NOT NULL, t.created_at DESC
            """, new { projectId, all, actor.UserId }, cancellationToken: cancellationToken));
        return rows.Select(r => new ApiTokenSummary(r.Id, r.UserId, r.Email, r.Name, ProjectRoles.Parse(r.Role) ?? ProjectRole.Viewer, Utc(r.CreatedAt),
            r.LastUsedAt is { } used ? Utc(used) : null, r.RevokedAt is { } revoked ? Utc(revoked) : null)).ToList();
    }

    /// <summary>Revokes a token: its own user may, and so may an admin of its project.</summary>
    [RequiresRole(ProjectRole.Admin)]
    public async Task RevokeAsync(Actor actor, Guid tokenId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(Guid UserId, Guid ProjectId)>(new CommandDefinition(
            "SELECT user_id, project_id FROM api_tokens WHERE id = @tokenId", new { tokenId }, cancellationToken: cancellationToken));
        if (row.UserId == Guid.Empty)
        {
            throw new ProjectAccessDeniedException("No such token.") { NotAMember = true };
        }

        if (row.UserId != actor.UserId || actor.RoleCap is not null)
        {
            await _access.EnsureRoleAsync(actor, row.ProjectId, ProjectRole.Admin, cancellationToken);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE api_tokens SET revoked_at = now() WHERE id = @tokenId AND revoked_at IS NULL",
            new { tokenId }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, row.ProjectId, "api-token.revoked", "api-token", tokenId, null, null,
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Finds the live token with this value and records its use; null for an unknown or revoked token.</summary>
    public async Task<ApiTokenIdentity?> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(token) || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        // The role is capped by the user's current role, so a demoted user's old tokens shrink with them.
        var row = await connection.QuerySingleOrDefaultAsync<(Guid Id, Guid UserId, Guid ProjectId, string Role, string MemberRole)>(new CommandDefinition("""
            UPDATE api_tokens t SET last_used_at = now()
            FROM project_members m
            WHERE t.token_hash = @hash AND t.revoked_at IS NULL AND m.project_id = t.project_id AND m.user_id = t.user_id
            RETURNING t.id, t.user_id, t.project_id, t.role, m.role
            """, new { hash = SecretTokens.Hash(token) }, cancellationToken: cancellationToken));
        if (row.Id == Guid.Empty || ProjectRoles.Parse(row.Role) is not { } role || ProjectRoles.Parse(row.MemberRole) is not { } member)
        {
            return null;
        }

        return new ApiTokenIdentity(row.Id, row.UserId, row.ProjectId, role < member ? role : member);
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}

using Dapper;
using Npgsql;

namespace Edison.Core.Security;

/// <summary>The projects a user belongs to, and the members of a project (managed by its admins).</summary>
public sealed class ProjectMembershipService
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly ProjectAccess _access;

    internal ProjectMembershipService(NpgsqlDataSource dataSource, ProjectAccess access)
    {
        _dataSource = dataSource;
        _access = access;
    }

    /// <summary>The user's projects, oldest first (the first is the instance's default project for its owner).</summary>
    public async Task<IReadOnlyList<ProjectMembership>> ProjectsOfAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(Guid ProjectId, string Name, string Role)>(new CommandDefinition("""
            SELECT p.id, p.name, m.role FROM project_members m JOIN projects p ON p.id = m.project_id
            WHERE m.user_id = @userId ORDER BY p.created_at, p.id
            """, new { userId }, cancellationToken: cancellationToken));
        return rows.Select(r => new ProjectMembership(r.ProjectId, r.Name, ProjectRoles.Parse(r.Role)!.Value)).ToList();
    }

    /// <summary>The members of a project, for anyone who may view it.</summary>
    [RequiresRole(ProjectRole.Viewer)]
    public async Task<IReadOnlyList<ProjectMember>> MembersAsync(Actor actor, Guid projectId, CancellationToken cancellationToken)
    {
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Viewer, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(Guid UserId, string Email, string DisplayName, string Role, DateTime JoinedAt)>(new CommandDefinition("""
            SELECT u.id, u.email, u.display_name, m.role, m.created_at FROM project_members m JOIN users u ON u.id = m.user_id
            WHERE m.project_id = @projectId ORDER BY m.created_at, u.email
            """, new { projectId }, cancellationToken: cancellationToken));
        return rows.Select(r => new ProjectMember(r.UserId, r.Email, r.DisplayName, ProjectRoles.Parse(r.Role)!.Value,
            new DateTimeOffset(DateTime.SpecifyKind(r.JoinedAt, DateTimeKind.Utc)))).ToList();
    }

    /// <summary>Changes a member's role (admins; only an owner may grant or take away ownership). Returns an error or null.</summary>
    [RequiresRole(ProjectRole.Admin)]
    public async Task<string?> ChangeRoleAsync(Actor actor, Guid projectId, Guid userId, ProjectRole role, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // One membership change per project at a time, and the roles checked after the lock: two owners demoting each other
        // at once would otherwise each see the other still an owner and leave none (READ COMMITTED check-then-write).
        await LockProjectAsync(connection, transaction, projectId, cancellationToken);
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Admin, cancellationToken);
        var current = await _access.RoleOfAsync(userId, projectId, cancellationToken);
        if (current is null)
        {
            return "That person is not a member of this project.";
        }

        if (role == ProjectRole.Owner || current == ProjectRole.Owner)
        {
            await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Owner, cancellationToken);
        }

        await connection.ExecuteAsync(new CommandDefinition("UPDATE project_members SET role = @role WHERE project_id = @projectId AND user_id = @userId",
            new { role = role.ToText(), projectId, userId }, transaction, cancellationToken: cancellationToken));
        if (await OwnerCountAsync(connection, transaction, projectId, cancellationToken) == 0)
        {
            return "A project keeps at least one owner.";
        }

        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "member.role-changed", "user", userId,
            new { role = current.Value.ToText() }, new { role = role.ToText() }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>Removes a member (admins; owners only by an owner, and never the last owner). Returns an error or null.</summary>
    [RequiresRole(ProjectRole.Admin)]
    public async Task<string?> RemoveAsync(Actor actor, Guid projectId, Guid userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // One membership change per project at a time, and the roles checked after the lock: two owners demoting each other
        // at once would otherwise each see the other still an owner and leave none (READ COMMITTED check-then-write).
        await LockProjectAsync(connection, transaction, projectId, cancellationToken);
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Admin, cancellationToken);
        var current = await _access.RoleOfAsync(userId, projectId, cancellationToken);
        if (current is null)
        {
            return "That person is not a member of this project.";
        }

        if (current == ProjectRole.Owner)
        {
            await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Owner, cancellationToken);
        }

        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM project_members WHERE project_id = @projectId AND user_id = @userId",
            new { projectId, userId }, transaction, cancellationToken: cancellationToken));
        if (await OwnerCountAsync(connection, transaction, projectId, cancellationToken) == 0)
        {
            return "A project keeps at least one owner.";
        }

        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "member.removed", "user", userId,
            new { role = current.Value.ToText() }, null, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>Serialises membership changes of one project (FOR NO KEY UPDATE: rows that reference the project are not held up).</summary>
    internal static Task LockProjectAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid projectId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("SELECT 1 FROM projects WHERE id = @projectId FOR NO KEY UPDATE", new { projectId }, transaction,
            cancellationToken: cancellationToken));

    private static Task<int> OwnerCountAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid projectId,
        CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*)::int FROM project_members WHERE project_id = @projectId AND role = 'owner'",
            new { projectId }, transaction, cancellationToken: cancellationToken));
}

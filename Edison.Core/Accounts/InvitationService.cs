using Dapper;
using Edison.Core.Persistence;
using Edison.Core.Security;
using Npgsql;

namespace Edison.Core.Accounts;

/// <summary>Invitations by link to join a project with a role: expiring, single use, stored as a SHA-256 hash of the token.</summary>
public sealed class InvitationService
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly ProjectAccess _access;
    private readonly TimeProvider _time;

    internal InvitationService(NpgsqlDataSource dataSource, ProjectAccess access, TimeProvider time)
    {
        _dataSource = dataSource;
        _access = access;
        _time = time;
    }

    /// <summary>Creates an invitation (admins only; never with the owner role).</summary>
    [RequiresRole(ProjectRole.Admin)]
    public async Task<CreatedInvitation> CreateAsync(Actor actor, Guid projectId, string email, ProjectRole role, TimeSpan validFor,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        if (role is ProjectRole.Owner)
        {
            throw new ArgumentOutOfRangeException(nameof(role), role, "Ownership is transferred, not granted by invitation.");
        }

        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Admin, cancellationToken);
        var token = SecretTokens.New();
        var id = Ids.New();
        var expiresAt = _time.GetUtcNow() + validFor;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO invitations (id, project_id, email, role, token_hash, expires_at, created_by)
            VALUES (@id, @projectId, @email, @role, @hash, @expiresAt, @createdBy)
            """, new { id, projectId, email = email.Trim(), role = role.ToText(), hash = SecretTokens.Hash(token), expiresAt, createdBy = actor.UserId },
            transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "invitation.created", "invitation", id, null,
            new { email = email.Trim(), role = role.ToText(), expiresAt }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new CreatedInvitation(id, token, expiresAt);
    }

    /// <summary>Finds an invitation by the token in its link, or null.</summary>
    public async Task<Invitation?> FindAsync(string token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return null;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition("""
            SELECT i.id, i.project_id, p.name AS project_name, i.email, i.role, i.expires_at, i.used_at IS NOT NULL AS is_used
            FROM invitations i JOIN projects p ON p.id = i.project_id WHERE i.token_hash = @hash
            """, new { hash = SecretTokens.Hash(token) }, cancellationToken: cancellationToken));
        return row is null ? null : new Invitation(row.Id, row.ProjectId, row.ProjectName, row.Email, ProjectRoles.Parse(row.Role)!.Value,
            new DateTimeOffset(DateTime.SpecifyKind(row.ExpiresAt, DateTimeKind.Utc)), row.IsUsed);
    }

    /// <summary>
    /// Uses the invitation: the user joins its project with its role (keeping a higher role they already hold). Returns the project,
    /// or null when the link is unknown, expired, already used or addressed to another e-mail than the user's (a forwarded or
    /// leaked link does not let someone else in).
    /// </summary>
    [SystemOperation("The invitation link's single-use token is the authority: the person joining is not a member yet.")]
    public async Task<Guid?> AcceptAsync(string token, Guid userId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return null;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Compare-and-set on used_at: two clicks on one link use it once; only the invited address may use it.
        var invitation = await connection.QuerySingleOrDefaultAsync<(Guid Id, Guid ProjectId, string Role)>(new CommandDefinition("""
            UPDATE invitations SET used_at = now(), used_by = @userId
            WHERE token_hash = @hash AND used_at IS NULL AND expires_at > @now
              AND upper(email) = (SELECT normalized_email FROM users WHERE id = @userId)
            RETURNING id, project_id, role
            """, new { userId, hash = SecretTokens.Hash(token), now = _time.GetUtcNow() }, transaction, cancellationToken: cancellationToken));
        if (invitation.Id == Guid.Empty)
        {
            return null;
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO project_members (project_id, user_id, role) VALUES (@ProjectId, @userId, @Role)
            ON CONFLICT (project_id, user_id) DO UPDATE SET role = CASE
                WHEN array_position(ARRAY['viewer','reviewer','editor','admin','owner'], project_members.role)
                   < array_position(ARRAY['viewer','reviewer','editor','admin','owner'], excluded.role)
                THEN excluded.role ELSE project_members.role END
            """, new { invitation.ProjectId, userId, invitation.Role }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, new Actor(userId), invitation.ProjectId, "invitation.accepted", "invitation",
            invitation.Id, null, new { role = invitation.Role }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return invitation.ProjectId;
    }

    private sealed record Row(Guid Id, Guid ProjectId, string ProjectName, string Email, string Role, DateTime ExpiresAt, bool IsUsed);
}

using Dapper;
using Edison.Core.Persistence;
using Edison.Core.Security;
using Npgsql;

namespace Edison.Core.Accounts;

/// <summary>The instance's first-run setup and its sign-up setting.</summary>
public sealed class AccountService
{
    private readonly NpgsqlDataSource _dataSource;
    private volatile bool _setUp;

    internal AccountService(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>Whether an instance owner exists. Once true it stays true, so it is cached.</summary>
    public async Task<bool> IsSetUpAsync(CancellationToken cancellationToken)
    {
        if (_setUp)
        {
            return true;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        _setUp = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM instance_settings)", cancellationToken: cancellationToken));
        return _setUp;
    }

    /// <summary>The instance settings.</summary>
    public async Task<InstanceSettings> SettingsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var publicSignUp = await connection.ExecuteScalarAsync<bool?>(new CommandDefinition(
            "SELECT public_sign_up FROM instance_settings", cancellationToken: cancellationToken));
        return new InstanceSettings(publicSignUp is not null, publicSignUp ?? false);
    }

    /// <summary>
    /// Makes the user the instance owner and the owner of the first project: the existing default project when experiments were
    /// created before accounts, else a new one. Returns that project's id, or null when another setup won the race.
    /// </summary>
    [SystemOperation("First-run setup makes the first user the instance owner; before it there is nobody to act.")]
    public async Task<Guid?> CompleteSetupAsync(Guid ownerId, bool publicSignUp, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The same lock ExperimentService takes for its default project, so the two agree on which project that is.
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtext('edison:default-project'))",
            transaction: transaction, cancellationToken: cancellationToken));
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO instance_settings (id, public_sign_up) VALUES (true, @publicSignUp) ON CONFLICT DO NOTHING",
            new { publicSignUp }, transaction, cancellationToken: cancellationToken));
        if (inserted == 0)
        {
            return null;
        }

        await connection.ExecuteAsync(new CommandDefinition("UPDATE users SET is_instance_owner = true WHERE id = @ownerId",
            new { ownerId }, transaction, cancellationToken: cancellationToken));
        var projectId = await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "SELECT id FROM projects ORDER BY created_at LIMIT 1", transaction: transaction, cancellationToken: cancellationToken));
        if (projectId is null)
        {
            projectId = Ids.New();
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO projects (id, name, created_by) VALUES (@projectId, 'Default project', @ownerId)",
                new { projectId, ownerId }, transaction, cancellationToken: cancellationToken));
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO project_members (project_id, user_id, role) VALUES (@projectId, @ownerId, 'owner')
            ON CONFLICT (project_id, user_id) DO UPDATE SET role = 'owner'
            """, new { projectId, ownerId }, transaction, cancellationToken: cancellationToken));
        var actor = new Actor(ownerId);
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "instance.set-up", "user", ownerId, null,
            new { publicSignUp }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        _setUp = true;
        return projectId;
    }

    /// <summary>Opens or closes public sign-up; only the instance owner may.</summary>
    [RequiresInstanceOwner]
    public async Task SetPublicSignUpAsync(Actor actor, bool open, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var isOwner = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT coalesce((SELECT is_instance_owner FROM users WHERE id = @UserId), false)", actor, transaction,
            cancellationToken: cancellationToken));
        if (!isOwner || actor.RoleCap is not null)
        {
            throw new ProjectAccessDeniedException("Only the instance owner changes who may sign up.");
        }

        await connection.ExecuteAsync(new CommandDefinition("UPDATE instance_settings SET public_sign_up = @open", new { open }, transaction,
            cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, null, "instance.sign-up-changed", "instance", null, null, new { open },
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}

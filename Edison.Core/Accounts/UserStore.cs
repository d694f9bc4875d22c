using Dapper;
using Edison.Core.Security;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace Edison.Core.Accounts;

/// <summary>Identity's user store over the <c>users</c> table with Dapper.</summary>
[SystemOperation("ASP.NET Core Identity's store: Identity calls it for the person signing up or in, who holds no project role for it.")]
public sealed class UserStore : IUserPasswordStore<EdisonUser>, IUserSecurityStampStore<EdisonUser>, IUserLockoutStore<EdisonUser>,
    IUserEmailStore<EdisonUser>
{
    private const string Columns = """
        id, email, normalized_email, display_name, password_hash, security_stamp, concurrency_stamp, email_confirmed, lockout_enabled,
        lockout_end, access_failed_count, is_instance_owner, created_at
        """;

    private readonly NpgsqlDataSource _dataSource;

    internal UserStore(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <inheritdoc />
    public async Task<IdentityResult> CreateAsync(EdisonUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var createdAt = await connection.ExecuteScalarAsync<DateTime>(new CommandDefinition("""
                INSERT INTO users (id, email, normalized_email, display_name, password_hash, security_stamp, concurrency_stamp, email_confirmed,
                                   lockout_enabled, lockout_end, access_failed_count, is_instance_owner)
                VALUES (@Id, @Email, @NormalizedEmail, @DisplayName, @PasswordHash, @SecurityStamp, @ConcurrencyStamp, @EmailConfirmed,
                        @LockoutEnabled, @LockoutEnd, @AccessFailedCount, @IsInstanceOwner)
                RETURNING created_at
                """, user, cancellationToken: cancellationToken));
            user.CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(createdAt, DateTimeKind.Utc));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return IdentityResult.Failed(new IdentityErrorDescriber().DuplicateEmail(user.Email));
        }

        return IdentityResult.Success;
    }

    /// <inheritdoc />
    public async Task<IdentityResult> UpdateAsync(EdisonUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var expected = user.ConcurrencyStamp;
        user.ConcurrencyStamp = Guid.NewGuid().ToString("N");
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var previousStamp = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT security_stamp FROM users WHERE id = @Id FOR UPDATE", new { user.Id }, transaction, cancellationToken: cancellationToken));
        var updated = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE users SET email = @Email, normalized_email = @NormalizedEmail, display_name = @DisplayName, password_hash = @PasswordHash,
                   security_stamp = @SecurityStamp, concurrency_stamp = @ConcurrencyStamp, email_confirmed = @EmailConfirmed,
                   lockout_enabled = @LockoutEnabled, lockout_end = @LockoutEnd, access_failed_count = @AccessFailedCount
            WHERE id = @Id AND concurrency_stamp = @expected
            """, new
        {
            user.Id, user.Email, user.NormalizedEmail, user.DisplayName, user.PasswordHash, user.SecurityStamp, user.ConcurrencyStamp,
            user.EmailConfirmed, user.LockoutEnabled, LockoutEnd = user.LockoutEnd?.ToUniversalTime(), user.AccessFailedCount, expected,
        }, transaction, cancellationToken: cancellationToken));
        if (updated == 0)
        {
            user.ConcurrencyStamp = expected;
            return IdentityResult.Failed(new IdentityErrorDescriber().ConcurrencyFailure());
        }

        // A new security stamp (password changed or reset, "sign out everywhere") ends every session, and the person's API tokens
        // with them: a token minted from a stolen session must not outlive the password that session was opened with.
        if (!string.Equals(previousStamp, user.SecurityStamp, StringComparison.Ordinal))
        {
            var revoked = await connection.QueryAsync<(Guid Id, Guid ProjectId)>(new CommandDefinition("""
                UPDATE api_tokens SET revoked_at = now() WHERE user_id = @Id AND revoked_at IS NULL RETURNING id, project_id
                """, new { user.Id }, transaction, cancellationToken: cancellationToken));
            foreach (var (tokenId, projectId) in revoked)
            {
                await AuditLog.WriteAsync(connection, transaction, new Actor(user.Id), projectId, "api-token.revoked", "api-token", tokenId, null,
                    new { reason = "security stamp rotated" }, cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return IdentityResult.Success;
    }

    /// <inheritdoc />
    public async Task<IdentityResult> DeleteAsync(EdisonUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM users WHERE id = @Id", new { user.Id }, cancellationToken: cancellationToken));
        return IdentityResult.Success;
    }

    /// <inheritdoc />
    public Task<EdisonUser?> FindByIdAsync(string userId, CancellationToken cancellationToken) =>
        Guid.TryParse(userId, out var id) ? FindAsync("id = @value", id, cancellationToken) : Task.FromResult<EdisonUser?>(null);

    /// <inheritdoc />
    public Task<EdisonUser?> FindByNameAsync(string normalizedUserName, CancellationToken cancellationToken) =>
        FindAsync("normalized_email = @value", normalizedUserName, cancellationToken);

    /// <inheritdoc />
    public Task<EdisonUser?> FindByEmailAsync(string normalizedEmail, CancellationToken cancellationToken) =>
        FindAsync("normalized_email = @value", normalizedEmail, cancellationToken);

    private async Task<EdisonUser?> FindAsync(string where, object value, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            $"SELECT {Columns} FROM users WHERE {where}", new { value }, cancellationToken: cancellationToken));
        return row is null ? null : new EdisonUser
        {
            Id = row.Id, Email = row.Email, NormalizedEmail = row.NormalizedEmail, DisplayName = row.DisplayName, PasswordHash = row.PasswordHash,
            SecurityStamp = row.SecurityStamp, ConcurrencyStamp = row.ConcurrencyStamp, EmailConfirmed = row.EmailConfirmed,
            LockoutEnabled = row.LockoutEnabled, LockoutEnd = row.LockoutEnd is { } end ? new DateTimeOffset(DateTime.SpecifyKind(end, DateTimeKind.Utc)) : null,
            AccessFailedCount = row.AccessFailedCount, IsInstanceOwner = row.IsInstanceOwner,
            CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc)),
        };
    }

    // Npgsql reads timestamptz as a UTC DateTime; the Identity surface wants DateTimeOffset.
    private sealed class UserRow
    {
        public Guid Id { get; init; }

        public string Email { get; init; } = "";

        public string NormalizedEmail { get; init; } = "";

        public string DisplayName { get; init; } = "";

        public string? PasswordHash { get; init; }

        public string SecurityStamp { get; init; } = "";

        public string ConcurrencyStamp { get; init; } = "";

        public bool EmailConfirmed { get; init; }

        public bool LockoutEnabled { get; init; }

        public DateTime? LockoutEnd { get; init; }

        public int AccessFailedCount { get; init; }

        public bool IsInstanceOwner { get; init; }

        public DateTime CreatedAt { get; init; }
    }

    // The e-mail address is the user name: one field to type, one unique index.

    /// <inheritdoc />
    public Task<string> GetUserIdAsync(EdisonUser user, CancellationToken cancellationToken) => Task.FromResult(user.Id.ToString());

    /// <inheritdoc />
    public Task<string?> GetUserNameAsync(EdisonUser user, CancellationToken cancellationToken) => Task.FromResult<string?>(user.Email);

    /// <inheritdoc />
    public Task SetUserNameAsync(EdisonUser user, string? userName, CancellationToken cancellationToken)
    {
        user.Email = userName ?? "";
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<string?> GetNormalizedUserNameAsync(EdisonUser user, CancellationToken cancellationToken) =>
        Task.FromResult<string?>(user.NormalizedEmail);

    /// <inheritdoc />
    public Task SetNormalizedUserNameAsync(EdisonUser user, string? normalizedName, CancellationToken cancellationToken)
    {
        user.NormalizedEmail = normalizedName ?? "";
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SetPasswordHashAsync(EdisonUser user, string? passwordHash, CancellationToken cancellationToken)
    {
        user.PasswordHash = passwordHash;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<string?> GetPasswordHashAsync(EdisonUser user, CancellationToken cancellationToken) => Task.FromResult(user.PasswordHash);

    /// <inheritdoc />
    public Task<bool> HasPasswordAsync(EdisonUser user, CancellationToken cancellationToken) => Task.FromResult(user.PasswordHash is not null);

    /// <inheritdoc />
    public Task SetSecurityStampAsync(EdisonUser user, string stamp, CancellationToken cancellationToken)
    {
        user.SecurityStamp = stamp;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<string?> GetSecurityStampAsync(EdisonUser user, CancellationToken cancellationToken) => Task.FromResult<string?>(user.SecurityStamp);

    /// <inheritdoc />
    public Task<DateTimeOffset?> GetLockoutEndDateAsync(EdisonUser user, CancellationToken cancellationToken) => Task.FromResult(user.LockoutEnd);

    /// <inheritdoc />
    public Task SetLockoutEndDateAsync(EdisonUser user, DateTimeOffset? lockoutEnd, CancellationToken cancellationToken)
    {
        user.LockoutEnd = lockoutEnd;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<int> IncrementAccessFailedCountAsync(EdisonUser user, CancellationToken cancellationToken) =>
        Task.FromResult(++user.AccessFailedCount);

    /// <inheritdoc />
    public Task ResetAccessFailedCountAsync(EdisonUser user, CancellationToken cancellationToken)
    {
        user.AccessFailedCount = 0;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<int> GetAccessFailedCountAsync(EdisonUser user, CancellationToken cancellationToken) => Task.FromResult(user.AccessFailedCount);

    /// <inheritdoc />
    public Task<bool> GetLockoutEnabledAsync(EdisonUser user, CancellationToken cancellationToken) => Task.FromResult(user.LockoutEnabled);

    /// <inheritdoc />
    public Task SetLockoutEnabledAsync(EdisonUser user, bool enabled, CancellationToken cancellationToken)
    {
        user.LockoutEnabled = enabled;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SetEmailAsync(EdisonUser user, string? email, CancellationToken cancellationToken)
    {
        user.Email = email ?? "";
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<string?> GetEmailAsync(EdisonUser user, CancellationToken cancellationToken) => Task.FromResult<string?>(user.Email);

    /// <inheritdoc />
    public Task<bool> GetEmailConfirmedAsync(EdisonUser user, CancellationToken cancellationToken) => Task.FromResult(user.EmailConfirmed);

    /// <inheritdoc />
    public Task SetEmailConfirmedAsync(EdisonUser user, bool confirmed, CancellationToken cancellationToken)
    {
        user.EmailConfirmed = confirmed;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<string?> GetNormalizedEmailAsync(EdisonUser user, CancellationToken cancellationToken) => Task.FromResult<string?>(user.NormalizedEmail);

    /// <inheritdoc />
    public Task SetNormalizedEmailAsync(EdisonUser user, string? normalizedEmail, CancellationToken cancellationToken)
    {
        user.NormalizedEmail = normalizedEmail ?? "";
        return Task.CompletedTask;
    }
}

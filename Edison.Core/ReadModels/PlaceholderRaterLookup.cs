using Dapper;
using Npgsql;

namespace Edison.Core.ReadModels;

/// <summary>
/// PLACEHOLDER until sign-in exists: the user on whose behalf a person acts is the instance owner, if there is one.
/// The security work replaces every use of this with the signed-in user.
/// </summary>
public sealed class PlaceholderRaterLookup
{
    private readonly NpgsqlDataSource _dataSource;

    internal PlaceholderRaterLookup(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>The instance owner's user id, or null when no user exists yet.</summary>
    public async Task<Guid?> GetActingUserIdAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "SELECT id FROM users WHERE is_instance_owner ORDER BY created_at LIMIT 1", cancellationToken: cancellationToken));
    }
}

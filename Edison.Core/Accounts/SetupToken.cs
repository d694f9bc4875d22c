using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Edison.Core.Accounts;

/// <summary>
/// The one-time token first-run setup asks for: <c>Edison:SetupToken</c> when a deployment sets it (unattended deploys, the
/// AppHost), else a random token kept in the database so every web process of the instance prints and accepts the same one.
/// </summary>
public sealed class SetupToken
{
    /// <summary>The configuration key an unattended deployment sets.</summary>
    public const string ConfigurationKey = "Edison:SetupToken";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string? _configured;

    /// <summary>Creates the token source from the database and the configured token, if any.</summary>
    internal SetupToken(NpgsqlDataSource dataSource, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _dataSource = dataSource;
        _configured = configuration[ConfigurationKey] is { Length: > 0 } value ? value.Trim() : null;
    }

    /// <summary>Whether the token comes from configuration (then it is never printed: whoever deployed knows it).</summary>
    public bool IsConfigured => _configured is not null;

    /// <summary>The token setup accepts now, created on first use when none is configured.</summary>
    public async Task<string> CurrentAsync(CancellationToken cancellationToken)
    {
        if (_configured is not null)
        {
            return _configured;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var fresh = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await connection.ExecuteAsync(new CommandDefinition("INSERT INTO setup_token (token) VALUES (@fresh) ON CONFLICT DO NOTHING",
            new { fresh }, cancellationToken: cancellationToken));
        return await connection.ExecuteScalarAsync<string>(new CommandDefinition("SELECT token FROM setup_token",
            cancellationToken: cancellationToken)) ?? fresh;
    }

    /// <summary>Whether <paramref name="presented"/> is the current token (compared in constant time).</summary>
    public async Task<bool> MatchesAsync(string? presented, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(presented))
        {
            return false;
        }

        var expected = Encoding.UTF8.GetBytes(await CurrentAsync(cancellationToken));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.UTF8.GetBytes(presented.Trim()));
    }

    /// <summary>Forgets the stored token once setup is done; it can never be used again.</summary>
    public async Task ForgetAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM setup_token", cancellationToken: cancellationToken));
    }
}

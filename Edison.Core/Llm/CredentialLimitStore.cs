using System.Collections.Concurrent;
using Dapper;
using Npgsql;

namespace Edison.Core.Llm;

/// Reads a credential's quota, kept for a short while so a busy chunk does not ask the database on every call.
internal sealed class CredentialLimitStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    private static readonly TimeSpan Keep = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<Guid, (CredentialLimits Limits, DateTimeOffset At)> _known = new();

    public async Task<CredentialLimits> GetAsync(Guid credentialId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_known.TryGetValue(credentialId, out var known) && now - known.At < Keep)
        {
            return known.Limits;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var limits = await connection.QuerySingleOrDefaultAsync<CredentialLimits>(new CommandDefinition(
            "SELECT requests_per_minute, tokens_per_minute FROM provider_credentials WHERE id = @credentialId",
            new { credentialId }, cancellationToken: cancellationToken)) ?? new CredentialLimits(null, null);
        _known[credentialId] = (limits, now);
        return limits;
    }
}

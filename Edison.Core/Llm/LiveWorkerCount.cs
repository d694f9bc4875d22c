using Dapper;
using Npgsql;

namespace Edison.Core.Llm;

/// How many worker processes share a credential's limit: the Quartz cluster members that checked in recently, at least 1.
internal sealed class LiveWorkerCount(NpgsqlDataSource dataSource, TimeProvider time)
{
    private static readonly TimeSpan Recent = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(15);
    private readonly Lock _lock = new();
    private (int Count, DateTimeOffset At)? _last;

    public async Task<int> GetAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_last is { } last && now - last.At < Refresh)
            {
                return last.Count;
            }
        }

        int count;
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            // Quartz stores last_checkin_time as UTC ticks.
            count = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT count(*)::int FROM qrtz_scheduler_state WHERE last_checkin_time > @since",
                new { since = (now - Recent).UtcTicks }, cancellationToken: cancellationToken));
        }
        catch (PostgresException)
        {
            count = 1;
        }

        count = Math.Max(1, count);
        lock (_lock)
        {
            _last = (count, now);
        }

        return count;
    }
}

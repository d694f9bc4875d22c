using System.Collections.Concurrent;
using Dapper;
using Npgsql;

namespace Edison.Core.Runs;

/// <summary>
/// Keeps a settled (completed, failed or cancelled) iteration's page figures that cost O(iteration) to compute: progress
/// counts, calls per phase, tags and grid pages. Each is kept under the iteration's <c>change_stamp</c>, which every write
/// that could change them bumps (migration 0016), so a kept value is used only while the stamp the request read is the
/// one it was computed under. A running iteration's figures are always computed.
/// </summary>
/// <remarks>
/// A write that began while the iteration was running (a chunk still finishing after a cancel) did not bump the stamp. So
/// before computing, a miss waits for every transaction still writing the iteration's outputs, judgments or calls: those
/// hold a key-share lock on its model runs or its row (their foreign keys), which a FOR UPDATE waits for. After that, every
/// write either is visible to the computation or bumps the stamp. Each lock is taken and released in its own statement,
/// so the wait never holds one lock while waiting for another.
/// </remarks>
internal sealed class SettledIterationCache(NpgsqlDataSource dataSource)
{
    // A kept grid page holds 50 answers (tens to hundreds of kB), so at most 32 × 16 of them: a bound, not a working set
    // (people read a few iterations at a time, and the least recently read half goes when the bound is reached).
    private const int MaxIterations = 32;
    private const int MaxPartsPerIteration = 16;
    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();
    private readonly ConcurrentDictionary<(Guid, long, object), Lazy<Task<object>>> _flights = new();

    /// <summary>
    /// The part kept for the iteration under <paramref name="stamp"/>, else <paramref name="compute"/>'s value (kept when the
    /// iteration is settled). <paramref name="status"/> and <paramref name="stamp"/> are what the caller read from the
    /// iteration's row before asking.
    /// </summary>
    public async Task<T> GetOrComputeAsync<T>(Guid iterationId, string status, long stamp, object part, Func<CancellationToken, Task<T>> compute,
        CancellationToken cancellationToken) where T : class
    {
        if (!IterationStatus.IsTerminal(status))
        {
            return await compute(cancellationToken);
        }

        if (_entries.TryGetValue(iterationId, out var entry) && entry.Stamp == stamp && entry.Parts.TryGetValue(part, out var kept))
        {
            entry.LastUsed = Environment.TickCount64;
            return (T)kept;
        }

        // Readers that miss together (a page many people have open, just after a rating) share one computation. It runs to
        // completion whoever leaves, so it is not bound to the first reader's request.
        var key = (iterationId, stamp, part);
        var flight = _flights.GetOrAdd(key, k => new Lazy<Task<object>>(async () =>
        {
            try
            {
                return await ComputeAndKeepAsync(iterationId, stamp, part, async () => await compute(CancellationToken.None));
            }
            finally
            {
                _flights.TryRemove(k, out _);
            }
        }));
        return (T)await flight.Value.WaitAsync(cancellationToken);
    }

    private async Task<object> ComputeAndKeepAsync(Guid iterationId, long stamp, object part, Func<Task<object>> compute)
    {
        if (_entries.TryGetValue(iterationId, out var entry) && entry.Stamp == stamp)
        {
            // The writers were waited out when this stamp was first kept; any write since has bumped it.
            var computed = await compute();
            Keep(iterationId, stamp, part, computed);
            return computed;
        }

        var settled = await WaitForWritersAsync(iterationId, CancellationToken.None);
        var value = await compute();
        if (settled is { } s && IterationStatus.IsTerminal(s.Status))
        {
            Keep(iterationId, s.Stamp, part, value);
        }

        return value;
    }

    /// <summary>The number of iterations with kept figures (for tests).</summary>
    public int Count => _entries.Count;

    private void Keep(Guid iterationId, long stamp, object part, object value)
    {
        var entry = _entries.AddOrUpdate(iterationId, _ => new Entry(stamp), (_, old) => old.Stamp < stamp ? new Entry(stamp) : old);
        if (entry.Stamp != stamp || (entry.Parts.Count >= MaxPartsPerIteration && !entry.Parts.ContainsKey(part)))
        {
            return;
        }

        entry.Parts[part] = value;
        entry.LastUsed = Environment.TickCount64;
        if (_entries.Count > MaxIterations)
        {
            foreach (var (id, _) in _entries.OrderBy(e => e.Value.LastUsed).Take(_entries.Count - MaxIterations / 2).ToList())
            {
                _entries.TryRemove(id, out _);
            }
        }
    }

    /// Waits out the iteration's in-flight writers, then reads its status and stamp (null when it no longer exists).
    private async Task<(string Status, long Stamp)?> WaitForWritersAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var runs = await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT id FROM model_runs WHERE iteration_id = @iterationId", new { iterationId }, cancellationToken: cancellationToken));
        foreach (var runId in runs)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT 1 FROM model_runs WHERE id = @runId FOR UPDATE", new { runId }, cancellationToken: cancellationToken));
        }

        var rows = await connection.QueryAsync<(string Status, long Stamp)>(new CommandDefinition(
            "SELECT status, change_stamp FROM iterations WHERE id = @iterationId FOR UPDATE", new { iterationId },
            cancellationToken: cancellationToken));
        return rows.Select(r => ((string, long)?)r).FirstOrDefault();
    }

    private sealed class Entry(long stamp)
    {
        public long Stamp { get; } = stamp;

        public ConcurrentDictionary<object, object> Parts { get; } = new();

        public long LastUsed { get; set; } = Environment.TickCount64;
    }
}

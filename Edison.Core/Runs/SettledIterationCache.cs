using System.Collections.Concurrent;
using Dapper;
using Microsoft.Extensions.Caching.Hybrid;
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
/// <para>The values live in <see cref="HybridCache"/>, in process only (the distributed level is off): its
/// <c>GetOrCreateAsync</c> gives readers that miss together one computation, which runs until every one of them has left.
/// Values must be immutable types (sealed, <see cref="System.ComponentModel.ImmutableObjectAttribute"/>) so the cache keeps
/// the instance rather than a serialised copy. The bound (32 iterations × 16 parts) is kept here: the iterations with kept
/// parts are tracked, and the least recently read half have their entries removed when the bound is passed.</para>
/// </remarks>
internal sealed class SettledIterationCache(NpgsqlDataSource dataSource, HybridCache cache)
{
    // A kept grid page holds 50 answers (tens to hundreds of kB), so at most 32 × 16 of them: a bound, not a working set
    // (people read a few iterations at a time, and the least recently read half goes when the bound is reached).
    private const int MaxIterations = 32;
    private const int MaxPartsPerIteration = 16;

    // Kept in this process only; an hour unread and a value goes anyway (it is recomputed on the next read).
    private static readonly HybridCacheEntryOptions EntryOptions = new()
    {
        Flags = HybridCacheEntryFlags.DisableDistributedCache,
        Expiration = TimeSpan.FromHours(1),
        LocalCacheExpiration = TimeSpan.FromHours(1),
    };

    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();

    /// <summary>
    /// The part kept for the iteration under <paramref name="stamp"/>, else <paramref name="compute"/>'s value (kept when the
    /// iteration is settled). <paramref name="status"/> and <paramref name="stamp"/> are what the caller read from the
    /// iteration's row before asking.
    /// </summary>
    public async Task<T> GetOrComputeAsync<T>(Guid iterationId, string status, long stamp, string part, Func<CancellationToken, Task<T>> compute,
        CancellationToken cancellationToken) where T : class
    {
        if (!IterationStatus.IsTerminal(status))
        {
            return await compute(cancellationToken);
        }

        var entry = await TrackAsync(iterationId, stamp, cancellationToken);
        if (entry is null || !entry.Admit(part))
        {
            // An older stamp than the one kept (a read that raced a write), or a part past the bound: computed, not kept.
            return await compute(cancellationToken);
        }

        var value = await cache.GetOrCreateAsync(Key(iterationId, stamp, part), (iterationId, entry, compute, self: this),
            static async (state, ct) =>
            {
                if (state.entry.WritersWaited)
                {
                    // The writers were waited out when this stamp was first kept; any write since has bumped it.
                    return await state.compute(ct);
                }

                var settled = await state.self.WaitForWritersAsync(state.iterationId, ct);
                var computed = await state.compute(ct);
                if (settled is { } s && IterationStatus.IsTerminal(s.Status) && s.Stamp == state.entry.Stamp)
                {
                    state.entry.WritersWaited = true;
                }
                else
                {
                    // Changed while the writers were waited out: the value is computed after the change, but is not kept
                    // under the stamp the readers asked with.
                    state.self._entries.TryRemove(KeyValuePair.Create(state.iterationId, state.entry));
                }

                return computed;
            }, EntryOptions, cancellationToken: cancellationToken);
        if (!_entries.TryGetValue(iterationId, out var now) || !ReferenceEquals(now, entry))
        {
            await RemoveAsync(iterationId, entry);
        }

        return value;
    }

    /// <summary>The number of iterations with kept figures (for tests).</summary>
    public int Count => _entries.Count;

    private static string Key(Guid iterationId, long stamp, string part) => $"settled:{iterationId:N}:{stamp}:{part}";

    /// The iteration's entry for <paramref name="stamp"/> (replacing, and removing the parts of, one for an older stamp), or
    /// null when a newer stamp is already kept.
    private async Task<Entry?> TrackAsync(Guid iterationId, long stamp, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_entries.TryGetValue(iterationId, out var old))
            {
                if (old.Stamp >= stamp)
                {
                    old.LastUsed = Environment.TickCount64;
                    return old.Stamp == stamp ? old : null;
                }

                var fresh = new Entry(stamp);
                if (_entries.TryUpdate(iterationId, fresh, old))
                {
                    await RemoveAsync(iterationId, old);
                    return fresh;
                }
            }
            else
            {
                var fresh = new Entry(stamp);
                if (_entries.TryAdd(iterationId, fresh))
                {
                    await EvictAsync(cancellationToken);
                    return fresh;
                }
            }
        }
    }

    private async Task EvictAsync(CancellationToken cancellationToken)
    {
        if (_entries.Count <= MaxIterations)
        {
            return;
        }

        foreach (var (id, old) in _entries.OrderBy(e => e.Value.LastUsed).Take(_entries.Count - MaxIterations / 2).ToList())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_entries.TryRemove(KeyValuePair.Create(id, old)))
            {
                await RemoveAsync(id, old);
            }
        }
    }

    // Not cancellable: a removal left half done would leave entries the bound no longer counts.
    private ValueTask RemoveAsync(Guid iterationId, Entry entry) =>
        cache.RemoveAsync(entry.Parts.Keys.Select(part => Key(iterationId, entry.Stamp, part)).ToList(), CancellationToken.None);

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

    /// The parts kept for one iteration under one stamp.
    private sealed class Entry(long stamp)
    {
        public long Stamp { get; } = stamp;

        public ConcurrentDictionary<string, byte> Parts { get; } = new();

        public long LastUsed { get; set; } = Environment.TickCount64;

        /// Whether the iteration's in-flight writers have been waited out under this stamp.
        public bool WritersWaited { get; set; }

        /// Whether <paramref name="part"/> may be kept: already kept, or within the bound.
        public bool Admit(string part) => Parts.ContainsKey(part) || (Parts.Count < MaxPartsPerIteration && Parts.TryAdd(part, 0)) || Parts.ContainsKey(part);
    }
}

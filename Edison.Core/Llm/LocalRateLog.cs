namespace Edison.Core.Llm;

/// The in-process sliding log used while Redis is unreachable: the same rule as the Lua scripts, per credential.
/// Each entry has a weight: 1 for a request, its estimated tokens for the tokens-per-minute log.
internal sealed class LocalRateLog
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, Dictionary<Guid, (DateTimeOffset At, int Weight)>> _logs = [];

    /// Adds the entry and returns zero, or returns how long until the oldest entry leaves the window.
    public TimeSpan TryAcquire(Guid credentialId, Guid entry, int limit, TimeSpan window, DateTimeOffset now) =>
        TryAcquire(credentialId, entry, limit, window, now, 1);

    /// <summary>
    /// Adds the entry when its weight fits under the limit with the entries still in the window (or the log is empty, so a
    /// request larger than the whole limit still goes, alone) and returns zero; otherwise returns how long until enough
    /// of the oldest entries have left the window.
    /// </summary>
    public TimeSpan TryAcquire(Guid credentialId, Guid entry, int limit, TimeSpan window, DateTimeOffset now, int weight)
    {
        lock (_lock)
        {
            if (!_logs.TryGetValue(credentialId, out var log))
            {
                log = [];
                _logs[credentialId] = log;
            }

            foreach (var (id, (at, _)) in log)
            {
                if (now - at >= window)
                {
                    log.Remove(id);
                }
            }

            var used = log.Values.Sum(e => e.Weight);
            if (log.Count == 0 || used + weight <= limit)
            {
                log[entry] = (now, weight);
                return TimeSpan.Zero;
            }

            var freed = 0;
            var oldestFirst = log.Values.OrderBy(e => e.At).ToList();
            foreach (var (at, entryWeight) in oldestFirst)
            {
                freed += entryWeight;
                if (used - freed + weight <= limit)
                {
                    return at + window - now;
                }
            }

            return oldestFirst[^1].At + window - now;
        }
    }

    /// Moves the entry to <paramref name="now"/>, the end of its request.
    public void Restamp(Guid credentialId, Guid entry, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_logs.TryGetValue(credentialId, out var log))
            {
                log[entry] = (now, log.TryGetValue(entry, out var current) ? current.Weight : 1);
            }
        }
    }
}

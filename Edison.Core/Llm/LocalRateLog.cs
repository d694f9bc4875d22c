namespace Edison.Core.Llm;

/// The in-process sliding log used while Redis is unreachable: the same rule as the Lua script, per credential.
internal sealed class LocalRateLog
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, Dictionary<Guid, DateTimeOffset>> _logs = [];

    /// Adds the entry and returns zero, or returns how long until the oldest entry leaves the window.
    public TimeSpan TryAcquire(Guid credentialId, Guid entry, int limit, TimeSpan window, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_logs.TryGetValue(credentialId, out var log))
            {
                log = [];
                _logs[credentialId] = log;
            }

            foreach (var (id, at) in log)
            {
                if (now - at >= window)
                {
                    log.Remove(id);
                }
            }

            if (log.Count < limit)
            {
                log[entry] = now;
                return TimeSpan.Zero;
            }

            return log.Values.Min() + window - now;
        }
    }

    /// Moves the entry to <paramref name="now"/>, the end of its request.
    public void Restamp(Guid credentialId, Guid entry, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_logs.TryGetValue(credentialId, out var log))
            {
                log[entry] = now;
            }
        }
    }
}

using Dapper;
using Npgsql;

namespace Edison.Core.Runs;

/// <summary>
/// Watches an iteration while a chunk runs: when a person cancels it, <see cref="Token"/> fires within one poll interval
/// (in-flight provider calls are cancelled); when a person pauses it, <see cref="StopStarting"/> turns true so no new call starts
/// while those in flight finish. The chunks of one iteration running in one process share a single poll of the iteration
/// row, instead of one poll per chunk every interval.
/// </summary>
internal sealed class IterationWatch : IAsyncDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly Dictionary<(NpgsqlDataSource, Guid), Poll> Polls = [];
    private static readonly Lock PollsLock = new();
    private readonly CancellationTokenSource _cancelled;
    private readonly Poll _poll;
    private readonly (NpgsqlDataSource, Guid) _key;

    private IterationWatch(NpgsqlDataSource dataSource, Guid iterationId, CancellationToken outer)
    {
        _key = (dataSource, iterationId);
        lock (PollsLock)
        {
            if (!Polls.TryGetValue(_key, out var poll))
            {
                poll = new Poll(dataSource, iterationId);
                Polls[_key] = poll;
            }

            poll.Watchers++;
            _poll = poll;
        }

        _cancelled = CancellationTokenSource.CreateLinkedTokenSource(outer, _poll.IterationCancelled);
    }

    /// <summary>Cancelled when the iteration is cancelled (or the caller's token fires).</summary>
    public CancellationToken Token => _cancelled.Token;

    /// <summary>Whether the iteration is paused or cancelled: start no new work.</summary>
    public bool StopStarting => _poll.Paused || _cancelled.IsCancellationRequested;

    /// <summary>Whether the iteration itself was cancelled, as opposed to the caller giving up.</summary>
    public bool IterationCancelled => _poll.IterationCancelled.IsCancellationRequested;

    /// <summary>
    /// Runs <paramref name="body"/> for each item with bounded parallelism under a watch: a pause starts no new item, a
    /// cancellation of the iteration cancels the calls in flight and returns quietly.
    /// </summary>
    public static async Task ForEachAsync<T>(NpgsqlDataSource dataSource, Guid iterationId, IEnumerable<T> items, int maxParallel,
        Func<T, CancellationToken, Task> body, CancellationToken cancellationToken)
    {
        await using var watch = Start(dataSource, iterationId, cancellationToken);
        try
        {
            await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = maxParallel, CancellationToken = watch.Token },
                async (item, ct) =>
                {
                    if (!watch.StopStarting)
                    {
                        await body(item, ct);
                    }
                });
        }
        catch (OperationCanceledException) when (watch.IterationCancelled && !cancellationToken.IsCancellationRequested)
        {
            // Cancelled by a person: what finished is stored, the rest is not started.
        }
    }

    public static IterationWatch Start(NpgsqlDataSource dataSource, Guid iterationId, CancellationToken cancellationToken) =>
        new(dataSource, iterationId, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _cancelled.Dispose();
        bool last;
        lock (PollsLock)
        {
            last = --_poll.Watchers == 0;
            if (last)
            {
                Polls.Remove(_key);
            }
        }

        if (last)
        {
            await _poll.DisposeAsync();
        }
    }

    /// One process's poll of one iteration row, shared by every chunk of it running here.
    private sealed class Poll : IAsyncDisposable
    {
        private readonly CancellationTokenSource _cancelled = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private volatile bool _paused;

        public Poll(NpgsqlDataSource dataSource, Guid iterationId)
        {
            IterationCancelled = _cancelled.Token;
            _loop = PollAsync(dataSource, iterationId);
        }

        public int Watchers { get; set; }

        public bool Paused => _paused;

        public CancellationToken IterationCancelled { get; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
            _cancelled.Dispose();
        }

        private async Task PollAsync(NpgsqlDataSource dataSource, Guid iterationId)
        {
            using var timer = new PeriodicTimer(PollInterval);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    (string? Status, bool IsPaused) state;
                    try
                    {
                        await using var connection = await dataSource.OpenConnectionAsync(_stop.Token);
                        state = await connection.QuerySingleOrDefaultAsync<(string? Status, bool IsPaused)>(new CommandDefinition(
                            "SELECT status, is_paused FROM iterations WHERE id = @iterationId", new { iterationId }, cancellationToken: _stop.Token));
                    }
                    catch (NpgsqlException)
                    {
                        // A lost connection skips this look; the chunks' own database writes will surface the problem.
                        continue;
                    }

                    _paused = state.IsPaused;
                    if (state.Status is null or IterationStatus.Cancelled)
                    {
                        await _cancelled.CancelAsync();
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Every chunk watching finished.
            }
        }
    }
}

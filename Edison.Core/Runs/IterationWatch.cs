using Dapper;
using Npgsql;

namespace Edison.Core.Runs;

/// <summary>
/// Watches an iteration while a chunk runs: when a person cancels it, <see cref="Token"/> fires within one poll interval
/// (in-flight provider calls are cancelled); when a person pauses it, <see cref="StopStarting"/> turns true so no new call starts
/// while those in flight finish.
/// </summary>
internal sealed class IterationWatch : IAsyncDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private readonly CancellationTokenSource _cancelled;
    private readonly Task _loop;
    private volatile bool _paused;

    private IterationWatch(NpgsqlDataSource dataSource, Guid iterationId, CancellationToken outer)
    {
        _cancelled = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _loop = PollAsync(dataSource, iterationId);
    }

    /// <summary>Cancelled when the iteration is cancelled (or the caller's token fires).</summary>
    public CancellationToken Token => _cancelled.Token;

    /// <summary>Whether the iteration is paused or cancelled: start no new work.</summary>
    public bool StopStarting => _paused || _cancelled.IsCancellationRequested;

    /// <summary>Whether the iteration itself was cancelled, as opposed to the caller giving up.</summary>
    public bool IterationCancelled { get; private set; }

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

    private async Task PollAsync(NpgsqlDataSource dataSource, Guid iterationId)
    {
        using var timer = new PeriodicTimer(PollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_cancelled.Token))
            {
                await using var connection = await dataSource.OpenConnectionAsync(_cancelled.Token);
                var state = await connection.QuerySingleOrDefaultAsync<(string Status, bool IsPaused)>(new CommandDefinition(
                    "SELECT status, is_paused FROM iterations WHERE id = @iterationId", new { iterationId }, cancellationToken: _cancelled.Token));
                _paused = state.IsPaused;
                if (state.Status is null or IterationStatus.Cancelled)
                {
                    IterationCancelled = true;
                    await _cancelled.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The chunk finished or the iteration was cancelled.
        }
        catch (NpgsqlException)
        {
            // A lost connection only ends the watching; the chunk's own database writes will surface the problem.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cancelled.CancelAsync();
        await _loop;
        _cancelled.Dispose();
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Dapper;
using Edison.Core.Events;
using Npgsql;

namespace Edison.Core.Runs;

/// Stops an iteration cleanly once its experiment's recorded spend reaches the budget. The spend is read from llm_calls at
/// most once per <see cref="RefreshInterval"/> per experiment; calls made by this process are added at once, so one worker
/// never overshoots by more than the calls already in flight.
internal sealed class BudgetGuard(NpgsqlDataSource dataSource, IEventBus events, IterationLifecycle lifecycle)
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(500);
    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();

    /// True when a new provider call may start; otherwise the iteration has been (or already was) stopped for the budget.
    public async Task<bool> AllowsCallAsync(Guid experimentId, Guid iterationId, CancellationToken cancellationToken)
    {
        var entry = _entries.GetOrAdd(experimentId, _ => new Entry());
        // One caller refreshes a stale entry while the others go on with the figure they have (a first read is waited for):
        // with 32 calls in flight, every one of them summing the experiment's calls at once was most of the guard's cost.
        if (entry.ReadAt is null)
        {
            await entry.Refreshing.WaitAsync(cancellationToken);
            try
            {
                if (entry.ReadAt is null)
                {
                    await RefreshAsync(entry, experimentId, cancellationToken);
                }
            }
            finally
            {
                entry.Refreshing.Release();
            }
        }
        else if (Stopwatch.GetElapsedTime(entry.ReadAt.Value) > RefreshInterval && entry.Refreshing.Wait(0, CancellationToken.None))
        {
            try
            {
                await RefreshAsync(entry, experimentId, cancellationToken);
            }
            finally
            {
                entry.Refreshing.Release();
            }
        }

        var (limit, spend) = entry.Read();
        if (limit is not { } b || spend < b)
        {
            return true;
        }

        await StopAsync(experimentId, iterationId, b, cancellationToken);
        return false;
    }

    private async Task RefreshAsync(Entry entry, Guid experimentId, CancellationToken cancellationToken)
    {
        var readAt = Stopwatch.GetTimestamp();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (budget, spent) = await connection.QuerySingleAsync<(decimal? Budget, decimal Spent)>(new CommandDefinition("""
            SELECT (e.stop_rules ->> 'budgetUsd')::numeric,
                   (SELECT coalesce(sum(cost_usd), 0) FROM llm_calls WHERE experiment_id = e.id)
            FROM experiments e WHERE e.id = @experimentId
            """, new { experimentId }, cancellationToken: cancellationToken));
        entry.Set(budget, spent, readAt);
    }

    /// Counts a call this process just recorded (at <paramref name="recordedAt"/>, a Stopwatch timestamp) until the next
    /// refresh reads it from the database; a refresh that began after it already counts it.
    public void Record(Guid experimentId, decimal costUsd, long recordedAt)
    {
        if (costUsd > 0 && _entries.TryGetValue(experimentId, out var entry))
        {
            entry.Add(costUsd, recordedAt);
        }
    }

    private async Task StopAsync(Guid experimentId, Guid iterationId, decimal budget, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var spent = await connection.ExecuteScalarAsync<decimal>(new CommandDefinition(
            "SELECT coalesce(sum(cost_usd), 0) FROM llm_calls WHERE experiment_id = @experimentId",
            new { experimentId }, transaction, cancellationToken: cancellationToken));
        var reason = $"Budget of {Usd(budget)} reached: {Usd(spent)} spent";
        var stopped = await lifecycle.StopOnBudgetAsync(connection, transaction, iterationId, reason, cancellationToken) is not null;
        var followed = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE suggestions SET status = 'superseded' WHERE iteration_id = @iterationId AND status = 'pending';
            UPDATE experiments SET status = 'stopped', stop_reason = @reason, updated_at = now()
            WHERE id = @experimentId AND EXISTS (SELECT 1 FROM iterations WHERE id = @iterationId AND stop_reason = @reason);
            """, new { experimentId, iterationId, reason }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        if (stopped || followed > 0)
        {
            await events.PublishAsync(new ExperimentEvent(experimentId, iterationId, ExperimentEvent.StatusChanged, IterationStatus.Cancelled, 0, 0)
            {
                CostUsd = spent,
            }, cancellationToken);
        }
    }

    /// Dollars as people read them: cents always, sub-cent digits only when there are any.
    public static string Usd(decimal value) => "$" + value.ToString("0.00####", CultureInfo.InvariantCulture);

    private sealed class Entry : IDisposable
    {
        private readonly Lock _lock = new();

        private decimal? _budget;
        private decimal _spent;

        public long? ReadAt { get; private set; }

        /// Held by the one caller reading the spend from the database.
        public SemaphoreSlim Refreshing { get; } = new(1, 1);

        public void Dispose() => Refreshing.Dispose();


        public void Set(decimal? budget, decimal spent, long readAt)
        {
            lock (_lock)
            {
                (_budget, _spent, ReadAt) = (budget, spent, readAt);
            }
        }

        public void Add(decimal cost, long recordedAt)
        {
            lock (_lock)
            {
                if (ReadAt is null || ReadAt < recordedAt)
                {
                    _spent += cost;
                }
            }
        }

        public (decimal? Budget, decimal Spent) Read()
        {
            lock (_lock)
            {
                return (_budget, _spent);
            }
        }
    }
}

using Dapper;
using Npgsql;

namespace Edison.Core.Llm;

/// Cost = tokens × the newest effective price of the model; an unknown model costs 0 and is returned as not known, so the
/// row and the page can say so. The whole price list (a few hundred rows) is kept in memory for <see cref="Ttl"/>: every
/// paid call needs a price, and reading it from PostgreSQL per call was one round trip in five. A price set in this process
/// is seen at once (<see cref="Invalidate"/>); one set by another process within the TTL.
internal sealed class PriceTable(NpgsqlDataSource dataSource, TimeProvider time) : IDisposable
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile Snapshot? _snapshot;

    public async Task<PriceLookup> CostAsync(string model, int inputTokens, int cachedInputTokens, int outputTokens, CancellationToken cancellationToken)
    {
        var snapshot = await CurrentAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        // Rows are newest first: the first one already in effect is the price.
        var price = snapshot.ByModel.TryGetValue(model, out var rows) ? rows.FirstOrDefault(r => r.EffectiveFrom <= now) : null;
        return price is null
            ? new PriceLookup(0m, false)
            : new PriceLookup(Compute(new Price(price.InputPerMtok, price.OutputPerMtok, price.CachedInputPerMtok), inputTokens, cachedInputTokens, outputTokens), true);
    }

    public void Dispose() => _loading.Dispose();

    /// Forgets the cached list, so the next cost reads the prices again.
    public void Invalidate() => _snapshot = null;

    private async Task<Snapshot> CurrentAsync(CancellationToken cancellationToken)
    {
        if (_snapshot is { } fresh && time.GetUtcNow() - fresh.ReadAt < Ttl)
        {
            return fresh;
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_snapshot is { } loaded && time.GetUtcNow() - loaded.ReadAt < Ttl)
            {
                return loaded;
            }

            var readAt = time.GetUtcNow();
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            var rows = await connection.QueryAsync<PriceRow>(new CommandDefinition("""
                SELECT model, effective_from, input_per_mtok, output_per_mtok, cached_input_per_mtok FROM model_prices
                ORDER BY model, effective_from DESC
                """, cancellationToken: cancellationToken));
            var snapshot = new Snapshot(readAt, rows.GroupBy(r => r.Model, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<PriceRow>)g.ToList(), StringComparer.Ordinal));
            _snapshot = snapshot;
            return snapshot;
        }
        finally
        {
            _loading.Release();
        }
    }

    internal static decimal Compute(Price price, int inputTokens, int cachedInputTokens, int outputTokens)
    {
        var cached = Math.Clamp(cachedInputTokens, 0, inputTokens);
        var cachedRate = price.CachedInputPerMtok ?? price.InputPerMtok;
        return (((inputTokens - cached) * price.InputPerMtok) + (cached * cachedRate) + (outputTokens * price.OutputPerMtok)) / 1_000_000m;
    }

    internal sealed record Price(decimal InputPerMtok, decimal OutputPerMtok, decimal? CachedInputPerMtok);

    private sealed record PriceRow(string Model, DateTime EffectiveFrom, decimal InputPerMtok, decimal OutputPerMtok, decimal? CachedInputPerMtok);

    private sealed record Snapshot(DateTimeOffset ReadAt, IReadOnlyDictionary<string, IReadOnlyList<PriceRow>> ByModel);
}

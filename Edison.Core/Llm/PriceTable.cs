using Dapper;
using Npgsql;

namespace Edison.Core.Llm;

/// Cost = tokens × the newest effective price of the model; an unknown model costs 0 and is returned as not known, so the
/// row and the page can say so.
internal sealed class PriceTable(NpgsqlDataSource dataSource, TimeProvider time)
{
    public async Task<PriceLookup> CostAsync(string model, int inputTokens, int cachedInputTokens, int outputTokens, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var price = await connection.QueryFirstOrDefaultAsync<Price>(new CommandDefinition("""
            SELECT input_per_mtok, output_per_mtok, cached_input_per_mtok FROM model_prices
            WHERE model = @model AND effective_from <= @now ORDER BY effective_from DESC LIMIT 1
            """, new { model, now = time.GetUtcNow() }, cancellationToken: cancellationToken));
        return price is null ? new PriceLookup(0m, false) : new PriceLookup(Compute(price, inputTokens, cachedInputTokens, outputTokens), true);
    }

    internal static decimal Compute(Price price, int inputTokens, int cachedInputTokens, int outputTokens)
    {
        var cached = Math.Clamp(cachedInputTokens, 0, inputTokens);
        var cachedRate = price.CachedInputPerMtok ?? price.InputPerMtok;
        return (((inputTokens - cached) * price.InputPerMtok) + (cached * cachedRate) + (outputTokens * price.OutputPerMtok)) / 1_000_000m;
    }

    internal sealed record Price(decimal InputPerMtok, decimal OutputPerMtok, decimal? CachedInputPerMtok);
}

using Edison.Core.Llm;

namespace Edison.Core.Tests.Llm;

public sealed class PriceTableCostTests
{
    private static readonly PriceTable.Price WithCachedRate = new(InputPerMtok: 2.50m, OutputPerMtok: 10.00m, CachedInputPerMtok: 1.25m);

    [Fact]
    public void Compute_NoCachedTokens_InputAndOutputAtTheirRates()
    {
        // 1,000 × 2.50 + 500 × 10.00 = 7,500 per million tokens.
        Assert.Equal(0.0075m, PriceTable.Compute(WithCachedRate, 1000, 0, 500));
    }

    [Fact]
    public void Compute_CachedTokens_BilledAtCachedRate()
    {
        // (1,000 − 400) × 2.50 + 400 × 1.25 + 500 × 10.00 = 1,500 + 500 + 5,000 = 7,000 per million tokens.
        Assert.Equal(0.007m, PriceTable.Compute(WithCachedRate, 1000, 400, 500));
    }

    [Fact]
    public void Compute_NoCachedRate_CachedTokensAtInputRate()
    {
        var price = WithCachedRate with { CachedInputPerMtok = null };

        Assert.Equal(PriceTable.Compute(price, 1000, 0, 500), PriceTable.Compute(price, 1000, 400, 500));
    }

    [Fact]
    public void Compute_CachedMoreThanInput_ClampedToInput()
    {
        Assert.Equal(PriceTable.Compute(WithCachedRate, 1000, 1000, 0), PriceTable.Compute(WithCachedRate, 1000, 5000, 0));
        Assert.Equal(0.00125m, PriceTable.Compute(WithCachedRate, 1000, 5000, 0));
    }

    [Fact]
    public void Compute_NegativeCached_TreatedAsZero()
    {
        Assert.Equal(PriceTable.Compute(WithCachedRate, 1000, 0, 500), PriceTable.Compute(WithCachedRate, 1000, -10, 500));
    }

    [Fact]
    public void Compute_LargeCounts_ExactDecimal()
    {
        // 2,000,000 × 2.50 + 1,000,000 × 10.00, per million: 5 + 10 dollars, no binary rounding.
        Assert.Equal(15m, PriceTable.Compute(WithCachedRate, 2_000_000, 0, 1_000_000));
    }
}

using Dapper;
using Edison.Core.Llm;
using Edison.IntegrationTests.Support;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Llm;

/// <summary>
/// A model missing from model_prices is recorded as "price unknown" rather than as a free call; cache hits and failures
/// cost nothing knowingly and stay priced.
/// </summary>
public sealed class GatewayPriceKnownTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private const string UnpricedModel = "mystery-model";

    private LlmGateway Gateway => fixture.Services.GetRequiredService<LlmGateway>();

    [Fact]
    public async Task CompleteAsync_UnpricedModel_RecordsPriceUnknownWithZeroCost()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Reply("who knows", inputTokens: 1000, outputTokens: 100));
        var spec = await GatewayCalls.SpecAsync(fixture, tenant, null, cts.Token) with { Model = UnpricedModel };

        var result = await Gateway.CompleteAsync(spec, GatewayCalls.Prompt("hi"), null, cts.Token);

        Assert.True(result.Succeeded, result.Error);
        Assert.False(result.PriceKnown);
        Assert.Equal((false, 0m, 1000), await RowAsync(result.CallId, cts.Token));
    }

    [Fact]
    public async Task CompleteAsync_PricedModel_RecordsPriceKnown()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Reply("priced", inputTokens: 1000, outputTokens: 100));
        var spec = await GatewayCalls.SpecAsync(fixture, tenant, null, cts.Token);

        var result = await Gateway.CompleteAsync(spec, GatewayCalls.Prompt("hi"), null, cts.Token);

        Assert.True(result.Succeeded, result.Error);
        Assert.True(result.PriceKnown);
        var (priceKnown, cost, _) = await RowAsync(result.CallId, cts.Token);
        Assert.True(priceKnown);
        Assert.True(cost > 0, "A priced model's call recorded no cost.");
    }

    [Fact]
    public async Task CompleteAsync_UnpricedModelCacheHit_RecordsPriceKnown()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Reply("cached answer"));
        var spec = await GatewayCalls.SpecAsync(fixture, tenant, null, cts.Token) with { Model = UnpricedModel };
        var prompt = GatewayCalls.Prompt($"cache me {Guid.NewGuid()}");
        await Gateway.CompleteAsync(spec, prompt, null, cts.Token);

        var hit = await Gateway.CompleteAsync(spec, prompt, null, cts.Token);

        Assert.True(hit.CacheHit);
        Assert.True(hit.PriceKnown);
        Assert.True((await RowAsync(hit.CallId, cts.Token)).PriceKnown);
        Assert.Single(tenant.Requests);
    }

    [Fact]
    public async Task CompleteAsync_UnpricedModelFails_RecordsPriceKnown()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Status(400, body: """{"error": {"message": "bad"}}"""));
        var spec = await GatewayCalls.SpecAsync(fixture, tenant, null, cts.Token) with { Model = UnpricedModel };

        var result = await Gateway.CompleteAsync(spec, GatewayCalls.Prompt("hi"), null, cts.Token);

        Assert.False(result.Succeeded);
        Assert.True(result.PriceKnown);
        Assert.Equal((true, 0m, 0), await RowAsync(result.CallId, cts.Token));
    }

    [Fact]
    public async Task Migrate_SeededPrices_EachHasSourceAndAsOfDate()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);

        var missing = await connection.QuerySingleAsync<(int Seeded, int Missing)>(new CommandDefinition("""
            SELECT count(*)::int, count(*) FILTER (WHERE source IS NULL OR source = '' OR as_of IS NULL)::int
            FROM model_prices WHERE id::text LIKE '0192a000-%'
            """, cancellationToken: cts.Token));

        Assert.True(missing.Seeded > 0, "No seeded prices found.");
        Assert.Equal(0, missing.Missing);
    }

    private async Task<(bool PriceKnown, decimal CostUsd, int InputTokens)> RowAsync(Guid callId, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<(bool, decimal, int)>(new CommandDefinition(
            "SELECT price_known, cost_usd, input_tokens FROM llm_calls WHERE id = @callId", new { callId }, cancellationToken: cancellationToken));
    }
}

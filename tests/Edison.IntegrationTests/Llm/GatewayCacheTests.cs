using System.Collections.Concurrent;
using System.Diagnostics;
using Dapper;
using Edison.Core.Llm;
using Edison.IntegrationTests.Support;
using Edison.Testing.Simulator;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Llm;

/// <summary>
/// The Redis response cache: keyed by sample index (n samples are n provider calls), a hit is a row with cost 0 and
/// its own span, a keyed loop call hit keeps its call_key, and a bypass asks the provider again.
/// </summary>
public sealed class GatewayCacheTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private LlmGateway Gateway => fixture.Services.GetRequiredService<LlmGateway>();

    [Fact]
    public async Task CompleteAsync_ThreeSamplesOfTheSamePrompt_MakeThreeProviderCalls()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant();
        var spec = await GatewayCalls.SpecAsync(fixture, tenant, requestsPerWindow: null, cts.Token);

        var results = new List<LlmResult>();
        for (var sample = 0; sample < 3; sample++)
        {
            results.Add(await Gateway.CompleteAsync(spec with { SampleIndex = sample }, GatewayCalls.Prompt("same"), null, cts.Token));
        }

        Assert.All(results, r => Assert.True(r.Succeeded && !r.CacheHit, $"{r.ErrorClass}: {r.Error}"));
        Assert.Equal(3, tenant.Requests.Count);
        Assert.Equal((3L, 0L), await CountRowsAsync(spec, cts.Token));
    }

    [Fact]
    public async Task CompleteAsync_SameSampleTwice_OneProviderCallAndACacheHitRowWithCostZeroAndASpan()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Reply("cached answer", inputTokens: 1000, outputTokens: 100)).Otherwise(_ => SimStep.Reply("paid twice"));
        var spec = await GatewayCalls.SpecAsync(fixture, tenant, requestsPerWindow: null, cts.Token);
        var options = new ChatOptions { Temperature = 0.2f, Seed = 7 };
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == LlmTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var first = await Gateway.CompleteAsync(spec, GatewayCalls.Prompt("same"), options, cts.Token);
        var second = await Gateway.CompleteAsync(spec, GatewayCalls.Prompt("same"), new ChatOptions { Temperature = 0.2f, Seed = 7 }, cts.Token);

        Assert.True(first.Succeeded && !first.CacheHit, first.Error);
        Assert.True(second.Succeeded && second.CacheHit, second.Error);
        Assert.Equal("cached answer", second.Text);
        Assert.Single(tenant.Requests);
        Assert.NotEqual(first.CallId, second.CallId);
        Assert.Equal((2L, 1L), await CountRowsAsync(spec, cts.Token));
        var row = await RowAsync(second.CallId, cts.Token);
        Assert.Equal((true, 0, 0m, "succeeded", "cached answer"), (row.CacheHit, row.Attempts, row.CostUsd, row.Status, row.ResponseText));
        Assert.True(first.CostUsd > 0m);
        var span = Assert.Single(spans, s => Equals(s.GetTagItem("edison.llm.call_id"), second.CallId));
        Assert.Equal(true, span.GetTagItem("edison.llm.cache_hit"));
    }

    [Fact]
    public async Task CompleteAsync_KeyedLoopCallAnsweredFromTheCache_GetsItsOwnRowUnderItsCallKey()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant();
        var spec = await GatewayCalls.SpecAsync(fixture, tenant, requestsPerWindow: null, cts.Token);
        var keyed = spec with { CallKey = $"test:{Guid.NewGuid()}" };

        await Gateway.CompleteAsync(spec, GatewayCalls.Prompt("same"), null, cts.Token);
        var hit = await Gateway.CompleteAsync(keyed, GatewayCalls.Prompt("same"), null, cts.Token);
        var reused = await Gateway.CompleteAsync(keyed, GatewayCalls.Prompt("same"), null, cts.Token);

        Assert.True(hit.CacheHit);
        Assert.True(reused.Reused);
        Assert.Equal(hit.CallId, reused.CallId);
        Assert.Single(tenant.Requests);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var cacheHit = await connection.QuerySingleAsync<bool>(new CommandDefinition(
            "SELECT cache_hit FROM llm_calls WHERE call_key = @CallKey", keyed, cancellationToken: cts.Token));
        Assert.True(cacheHit);
    }

    [Fact]
    public async Task CompleteAsync_BypassCache_AsksTheProviderAgain()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant();
        var spec = await GatewayCalls.SpecAsync(fixture, tenant, requestsPerWindow: null, cts.Token);

        await Gateway.CompleteAsync(spec, GatewayCalls.Prompt("same"), null, cts.Token);
        var bypassed = await Gateway.CompleteAsync(spec with { BypassCache = true }, GatewayCalls.Prompt("same"), null, cts.Token);
        var otherTemperature = await Gateway.CompleteAsync(spec, GatewayCalls.Prompt("same"), new ChatOptions { Temperature = 1 }, cts.Token);

        Assert.False(bypassed.CacheHit);
        Assert.False(otherTemperature.CacheHit);
        Assert.Equal(3, tenant.Requests.Count);
        Assert.Equal((3L, 0L), await CountRowsAsync(spec, cts.Token));
    }

    private async Task<(long Rows, long CacheHits)> CountRowsAsync(LlmCallSpec spec, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(
            "SELECT count(*), count(*) FILTER (WHERE cache_hit) FROM llm_calls WHERE experiment_id = @ExperimentId",
            spec, cancellationToken: cancellationToken));
    }

    private async Task<CallRow> RowAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<CallRow>(new CommandDefinition(
            "SELECT cache_hit, attempts, cost_usd, status, response_text FROM llm_calls WHERE id = @id",
            new { id }, cancellationToken: cancellationToken));
    }

    private sealed record CallRow(bool CacheHit, int Attempts, decimal CostUsd, string Status, string? ResponseText);
}

using Dapper;
using Edison.Core.Llm;
using Edison.IntegrationTests.Support;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Llm;

/// <summary>
/// A chunk's calls answered without a provider in one batch: recorded calls are reused, cache hits get one row each under
/// their call_key (replacing an earlier failure), and the rest come back to be called, without a second cache lookup.
/// </summary>
public sealed class GatewayBatchResolveTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private LlmGateway Gateway => fixture.Services.GetRequiredService<LlmGateway>();

    [Fact]
    public async Task ResolveWithoutProvider_ReusesRecordedCallsRecordsCacheHitsAndLeavesMissesToCall()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(r => SimStep.Reply($"answer to {r.LastUserText}"));
        var spec = await GatewayCalls.SpecAsync(fixture, tenant, requestsPerWindow: null, cts.Token);
        var run = Guid.NewGuid();
        LlmRequest Keyed(string prompt) => new(spec with { CallKey = $"batch:{run}:{prompt}" }, GatewayCalls.Prompt(prompt), null);
        // "recorded" was made under its own key before; "cached" only under another key, so only the cache knows it.
        var recorded = await Gateway.CompleteAsync(Keyed("recorded").Spec, GatewayCalls.Prompt("recorded"), null, cts.Token);
        await Gateway.CompleteAsync(spec, GatewayCalls.Prompt("cached"), null, cts.Token);
        var requestsBefore = tenant.Requests.Count;

        var answers = await Gateway.ResolveWithoutProviderAsync([Keyed("recorded"), Keyed("cached"), Keyed("new")], cts.Token);

        Assert.Equal(requestsBefore, tenant.Requests.Count);
        Assert.True(answers[0].Result is { Reused: true } reused && reused.CallId == recorded.CallId);
        var hit = Assert.IsType<LlmResult>(answers[1].Result);
        Assert.True(hit.CacheHit);
        Assert.Equal("answer to cached", hit.Text);
        Assert.Null(answers[2].Result);
        Assert.True(answers[2].CallSpec.BypassCache, "a miss is called without looking the cache up again");
        var row = await RowAsync(Keyed("cached").Spec.CallKey!, cts.Token);
        Assert.Equal((hit.CallId, true, "succeeded", 0m), (row.Id, row.CacheHit, row.Status, row.CostUsd));

        var miss = await Gateway.CompleteAsync(answers[2].CallSpec, Keyed("new").Messages, null, cts.Token);
        Assert.True(miss.Succeeded && !miss.CacheHit, miss.Error);
        Assert.Equal(requestsBefore + 1, tenant.Requests.Count);
    }

    [Fact]
    public async Task ResolveWithoutProvider_CacheHitReplacesAnEarlierFailureUnderItsKey_AndASecondBatchReusesIt()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Status(400, body: "bad request")).Otherwise(_ => SimStep.Reply("good answer"));
        var spec = await GatewayCalls.SpecAsync(fixture, tenant, requestsPerWindow: null, cts.Token);
        var keyed = spec with { CallKey = $"batch:{Guid.NewGuid()}" };
        var failed = await Gateway.CompleteAsync(keyed, GatewayCalls.Prompt("same"), null, cts.Token);
        await Gateway.CompleteAsync(spec, GatewayCalls.Prompt("same"), null, cts.Token);

        var first = await Gateway.ResolveWithoutProviderAsync([new LlmRequest(keyed, GatewayCalls.Prompt("same"), null)], cts.Token);
        var second = await Gateway.ResolveWithoutProviderAsync([new LlmRequest(keyed, GatewayCalls.Prompt("same"), null)], cts.Token);

        Assert.False(failed.Succeeded);
        Assert.True(first[0].Result is { CacheHit: true, Text: "good answer" });
        Assert.Equal(failed.CallId, first[0].Result!.CallId);
        Assert.True(second[0].Result is { Reused: true } again && again.CallId == failed.CallId);
        var row = await RowAsync(keyed.CallKey!, cts.Token);
        Assert.Equal((true, "succeeded"), (row.CacheHit, row.Status));
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*)::int FROM llm_calls WHERE call_key = @CallKey", keyed, cancellationToken: cts.Token)));
    }

    private async Task<CallRow> RowAsync(string callKey, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<CallRow>(new CommandDefinition(
            "SELECT id, cache_hit, status, cost_usd FROM llm_calls WHERE call_key = @callKey", new { callKey }, cancellationToken: cancellationToken));
    }

    private sealed record CallRow(Guid Id, bool CacheHit, string Status, decimal CostUsd);
}

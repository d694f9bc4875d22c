using Dapper;
using Edison.Core.Llm;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Llm;

/// <summary>
/// Two callers making the same keyed call at once (a recovered chunk beside the one still running, in one worker or two)
/// pay the provider once: the second waits for the first and reuses its recorded answer, also when Redis is down.
/// </summary>
public sealed class GatewaySingleFlightTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    // Long enough that two callers started together are both past the recorded-call check before either answer is stored.
    private static readonly TimeSpan Answer = TimeSpan.FromMilliseconds(700);

    [Fact]
    public async Task CompleteAsync_TwoConcurrentCallsWithOneCallKey_TheProviderIsPaidOnce()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(_ => SimStep.Delay(Answer, SimStep.Reply("once")));
        var spec = await KeyedSpecAsync(tenant, cts.Token);
        var gateway = fixture.Services.GetRequiredService<LlmGateway>();

        var results = await Task.WhenAll(Enumerable.Range(0, 2)
            .Select(_ => gateway.CompleteAsync(spec, GatewayCalls.Prompt("same question"), null, cts.Token)));

        await AssertPaidOnceAsync(tenant, spec, results, cts.Token);
    }

    [Fact]
    public async Task CompleteAsync_SameCallKeyFromTwoProcessesAtOnce_TheProviderIsPaidOnce()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(_ => SimStep.Delay(Answer, SimStep.Reply("once")));
        var spec = await KeyedSpecAsync(tenant, cts.Token);
        // Two hosts on one database and one Redis key space: two workers, whose in-process guards know nothing of each other.
        var prefix = TestEnvironment.NewRedisPrefix();
        using var first = await fixture.StartHostAsync([new("Edison:Redis:KeyPrefix", prefix)], cts.Token);
        using var second = await fixture.StartHostAsync([new("Edison:Redis:KeyPrefix", prefix)], cts.Token);

        var results = await Task.WhenAll(new[] { first, second }
            .Select(h => h.Services.GetRequiredService<LlmGateway>().CompleteAsync(spec, GatewayCalls.Prompt("same question"), null, cts.Token)));

        await AssertPaidOnceAsync(tenant, spec, results, cts.Token);
    }

    [Fact]
    public async Task CompleteAsync_SameCallKeyTwiceWithRedisUnreachable_TheProviderIsPaidOnce()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(_ => SimStep.Delay(Answer, SimStep.Reply("once")));
        var spec = await KeyedSpecAsync(tenant, cts.Token);
        using var host = await fixture.StartHostAsync([], $"127.0.0.1:{FreePort.Next()},abortConnect=false,connectTimeout=500", cts.Token);
        var gateway = host.Services.GetRequiredService<LlmGateway>();

        var results = await Task.WhenAll(Enumerable.Range(0, 2)
            .Select(_ => gateway.CompleteAsync(spec, GatewayCalls.Prompt("same question"), null, cts.Token)));

        await AssertPaidOnceAsync(tenant, spec, results, cts.Token);
    }

    private async Task<LlmCallSpec> KeyedSpecAsync(SimTenant tenant, CancellationToken cancellationToken) =>
        await GatewayCalls.SpecAsync(fixture, tenant, requestsPerWindow: null, cancellationToken) with { CallKey = $"flight:{Guid.NewGuid():N}" };

    private async Task AssertPaidOnceAsync(SimTenant tenant, LlmCallSpec spec, LlmResult[] results, CancellationToken cancellationToken)
    {
        Assert.All(results, r => Assert.True(r.Succeeded, $"{r.ErrorClass}: {r.Error}"));
        Assert.Single(tenant.Requests);
        Assert.Single(results, r => r.Reused);
        Assert.Single(results.Select(r => r.CallId).Distinct());
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*)::int FROM llm_calls WHERE call_key = @CallKey", new { spec.CallKey }, cancellationToken: cancellationToken)));
    }
}

using Edison.Core.Llm;
using Edison.IntegrationTests.Support;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Llm;

/// <summary>The per-credential cap on calls in flight, whatever parallelism the callers (chunk jobs, judges) bring.</summary>
public sealed class GatewayConcurrencyTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private static readonly TimeSpan Answer = TimeSpan.FromMilliseconds(600);

    [Fact]
    public async Task CompleteAsync_EightParallelCallsWithACapOfTwo_TheProviderSeesTwoAtATime()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(_ => SimStep.Delay(Answer, SimStep.Reply("slow")));
        var spec = await GatewayCalls.SpecAsync(fixture, tenant, requestsPerWindow: null, cts.Token);
        using var host = await fixture.StartHostAsync([new("Edison:Llm:MaxConcurrentCallsPerCredential", "2")], cts.Token);
        var gateway = host.Services.GetRequiredService<LlmGateway>();

        var results = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(i => gateway.CompleteAsync(spec, GatewayCalls.Prompt($"call {i}"), null, cts.Token)));

        Assert.All(results, r => Assert.True(r.Succeeded, $"{r.ErrorClass}: {r.Error}"));
        Assert.Equal(8, tenant.Requests.Count);
        // A request can only start when one of the two before it has been answered, Answer later.
        var busiest = GatewayCalls.BusiestWindow(tenant.Requests, Answer * 0.8);
        Assert.True(busiest <= 2, $"{busiest} requests reached the provider within {Answer * 0.8}; at most 2 may be in flight.");
    }
}

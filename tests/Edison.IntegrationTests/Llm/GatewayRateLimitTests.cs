using Edison.Core.Llm;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Edison.IntegrationTests.Llm;

/// <summary>
/// The per-credential rate limit, counted where the provider would count it (arrivals at the simulator): shared by two
/// gateway instances through Redis, and kept per process, fail-safe, when Redis is unreachable.
/// </summary>
public sealed class GatewayRateLimitTests(CoreFixture fixture, ITestOutputHelper output) : IClassFixture<CoreFixture>
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task CompleteAsync_300CallsThroughTwoGatewaysAt60PerWindow_NoWindowAtTheProviderHoldsMoreThan62AndAllComplete()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var tenant = fixture.Simulator.CreateTenant();
        var spec = await GatewayCalls.SpecAsync(fixture, tenant, requestsPerWindow: 60, cts.Token);
        KeyValuePair<string, string?>[] shared =
        [
            new("Edison:Redis:KeyPrefix", TestEnvironment.NewRedisPrefix()),
            new("Edison:Llm:RateWindow", "00:00:03"),
            new("Edison:Llm:MaxConcurrentCallsPerCredential", "16"),
        ];
        using var first = await fixture.StartHostAsync(shared, cts.Token);
        using var second = await fixture.StartHostAsync(shared, cts.Token);
        LlmGateway[] gateways = [first.Services.GetRequiredService<LlmGateway>(), second.Services.GetRequiredService<LlmGateway>()];

        var results = await Task.WhenAll(Enumerable.Range(0, 300)
            .Select(i => gateways[i % 2].CompleteAsync(spec, GatewayCalls.Prompt($"call {i}"), null, cts.Token)));

        Assert.All(results, r => Assert.True(r.Succeeded, $"{r.ErrorClass}: {r.Error}"));
        Assert.Equal(300, tenant.Requests.Count);
        var busiest = GatewayCalls.BusiestWindow(tenant.Requests, Window);
        var span = tenant.Requests.Max(r => r.ArrivedAt) - tenant.Requests.Min(r => r.ArrivedAt);
        output.WriteLine($"Busiest 3 s window at the provider: {busiest} requests; 300 requests over {span.TotalSeconds:F1} s.");
        Assert.True(busiest <= 62, $"{busiest} requests reached the provider within one 3 s window; the limit is 60.");
    }

    [Fact]
    public async Task CompleteAsync_RedisUnreachable_SucceedsWithCacheMissesAndKeepsThePerProcessLimit()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant();
        var spec = await GatewayCalls.SpecAsync(fixture, tenant, requestsPerWindow: 5, cts.Token);
        using var host = await fixture.StartHostAsync([new("Edison:Llm:RateWindow", "00:00:03")],
            $"127.0.0.1:{FreePort.Next()},abortConnect=false,connectTimeout=500", cts.Token);
        var gateway = host.Services.GetRequiredService<LlmGateway>();

        var results = await Task.WhenAll(Enumerable.Range(0, 12)
            .Select(i => gateway.CompleteAsync(spec, GatewayCalls.Prompt($"call {i % 6}"), null, cts.Token)));

        Assert.All(results, r => Assert.True(r.Succeeded, $"{r.ErrorClass}: {r.Error}"));
        // Each prompt is asked twice: without Redis the second asking is a miss, not a failure.
        Assert.All(results, r => Assert.False(r.CacheHit));
        Assert.Equal(12, tenant.Requests.Count);
        var busiest = GatewayCalls.BusiestWindow(tenant.Requests, Window);
        // No Quartz worker checks in to this database, so the process counts as the only worker and keeps the whole limit.
        Assert.True(busiest <= 5, $"{busiest} requests reached the provider within one 3 s window; the fallback limit is 5.");
        Assert.Contains(fixture.Logs.Entries, l => l.Level == LogLevel.Warning && l.Category == typeof(CredentialRateLimiter).FullName
            && l.Message.Contains("per-process limit of 5 per window (limit 5 ÷ 1 live workers)", StringComparison.Ordinal));
        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Name == "llm-rate-limits", cts.Token);
        var status = health.Entries["llm-rate-limits"];
        Assert.Equal(HealthStatus.Degraded, status.Status);
        Assert.Contains("per process", status.Description, StringComparison.Ordinal);
    }
}

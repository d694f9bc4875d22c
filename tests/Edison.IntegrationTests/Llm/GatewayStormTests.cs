using System.Collections.Concurrent;
using Dapper;
using Edison.IntegrationTests.Support;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Edison.Core.Llm;

namespace Edison.IntegrationTests.Llm;

/// <summary>A provider answering half of all requests with 429: nothing is lost, nothing is counted or paid twice.</summary>
public sealed class GatewayStormTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private const int Calls = 60;

    [Fact]
    public async Task CompleteAsync_HalfOfAllRequestsAnswered429_EveryCallCompletesWithOneRowAndOnlySuccessesCost()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var asked = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        // Alternating per prompt: every logical call meets exactly one 429, so exactly half of all requests are 429s.
        var tenant = fixture.Simulator.CreateTenant().Otherwise(request =>
            asked.AddOrUpdate(request.LastUserText, 1, (_, n) => n + 1) % 2 == 1
                ? SimStep.Status(429, retryAfter: TimeSpan.Zero)
                : SimStep.Reply("fine", inputTokens: 1000, outputTokens: 100));
        var spec = await GatewayCalls.SpecAsync(fixture, tenant, requestsPerWindow: null, cts.Token);
        var gateway = fixture.Services.GetRequiredService<LlmGateway>();
        var run = Guid.NewGuid();

        var results = await Task.WhenAll(Enumerable.Range(0, Calls).Select(i => gateway.CompleteAsync(
            spec with { CallKey = $"storm:{run}:{i}" }, GatewayCalls.Prompt($"storm {i}"), null, cts.Token)));

        // gpt-4o-mini is seeded at $0.15 input and $0.60 output per million tokens.
        const decimal PerCall = (1000 * 0.15m / 1_000_000m) + (100 * 0.60m / 1_000_000m);
        Assert.All(results, r => Assert.True(r.Succeeded, $"{r.ErrorClass}: {r.Error}"));
        Assert.All(results, r => Assert.Equal(2, r.Attempts));
        Assert.Equal(2 * Calls, tenant.Requests.Count);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var rows = await connection.QuerySingleAsync<(long Rows, long Keys, long Attempts, decimal Cost, long Failed)>(new CommandDefinition("""
            SELECT count(*), count(DISTINCT call_key), sum(attempts), sum(cost_usd), count(*) FILTER (WHERE status <> 'succeeded')
            FROM llm_calls WHERE experiment_id = @ExperimentId
            """, spec, cancellationToken: cts.Token));
        Assert.Equal((Calls, Calls, 2L * Calls, Calls * PerCall, 0L), rows);
        Assert.Equal(Calls * PerCall, results.Sum(r => r.CostUsd));
    }
}

using Dapper;
using Edison.Core.Llm;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Edison.IntegrationTests.Llm;

/// <summary>
/// The per-credential tokens-per-minute limit, paced by the gateway's input-token estimate and counted where the provider
/// would count it (arrivals at the simulator).
/// </summary>
public sealed class GatewayTokenRateLimitTests(CoreFixture fixture, ITestOutputHelper output) : IClassFixture<CoreFixture>
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task CompleteAsync_TokensPerWindowForThreePrompts_NoWindowAtTheProviderHoldsMoreThanThreeAndAllComplete()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant();
        var spec = await GatewayCalls.SpecAsync(fixture, tenant, requestsPerWindow: null, cts.Token);
        var prompts = Enumerable.Range(0, 7).Select(i => GatewayCalls.Prompt($"Please summarise support case number {i} in one sentence.")).ToList();
        var estimator = fixture.Services.GetRequiredService<ITokenEstimator>();
        var perPrompt = prompts.Max(p => estimator.EstimateInputTokens(p, null));
        Assert.Equal(perPrompt, prompts.Min(p => estimator.EstimateInputTokens(p, null)));
        await SetTokensPerWindowAsync(spec.CredentialId, (perPrompt * 3) + (perPrompt / 2), cts.Token);
        using var host = await fixture.StartHostAsync(
            [new("Edison:Redis:KeyPrefix", TestEnvironment.NewRedisPrefix()), new("Edison:Llm:RateWindow", "00:00:03")], cts.Token);
        var gateway = host.Services.GetRequiredService<LlmGateway>();

        var results = await Task.WhenAll(prompts.Select(p => gateway.CompleteAsync(spec, p, null, cts.Token)));

        Assert.All(results, r => Assert.True(r.Succeeded, $"{r.ErrorClass}: {r.Error}"));
        Assert.Equal(7, tenant.Requests.Count);
        var busiest = GatewayCalls.BusiestWindow(tenant.Requests, Window);
        output.WriteLine($"{perPrompt} estimated tokens per prompt; busiest 3 s window at the provider: {busiest} requests.");
        Assert.True(busiest <= 3, $"{busiest} requests of {perPrompt} tokens reached the provider within one 3 s window; the budget fits 3.");
        // Seven prompts at three per window need at least two full windows.
        var span = tenant.Requests.Max(r => r.ArrivedAt) - tenant.Requests.Min(r => r.ArrivedAt);
        Assert.True(span >= Window * 2 - TimeSpan.FromMilliseconds(100), $"Seven prompts took only {span.TotalSeconds:F1} s.");
    }

    private async Task SetTokensPerWindowAsync(Guid credentialId, int tokens, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE provider_credentials SET tokens_per_minute = @tokens WHERE id = @credentialId",
            new { tokens, credentialId }, cancellationToken: cancellationToken));
    }
}

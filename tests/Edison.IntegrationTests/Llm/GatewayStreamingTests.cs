using Dapper;
using Edison.Core.Llm;
using Edison.IntegrationTests.Support;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Llm;

/// <summary>
/// Streaming through the gateway (AI assist's path): text reaches the caller piece by piece, the whole call is one
/// llm_calls row with its time to first text, a failure before any text is retried, and a cached answer arrives whole.
/// </summary>
public sealed class GatewayStreamingTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private LlmGateway Gateway => fixture.Services.GetRequiredService<LlmGateway>();

    [Fact]
    public async Task StreamAsync_StallAfterFirstChunks_DeliversTextBeforeTheStallAndRecordsTimeToFirstToken()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.StallAfterChunks(2, TimeSpan.FromSeconds(1),
            SimStep.Reply("Once upon a time there was a very small model.")));
        var spec = await GatewayCalls.SpecAsync(fixture, tenant, requestsPerWindow: null, cts.Token);
        var pieces = new List<(string Text, long AtMs)>();
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        var result = await Gateway.StreamAsync(spec, GatewayCalls.Prompt("story"), null, (text, _) =>
        {
            pieces.Add((text, stopwatch.ElapsedMilliseconds));
            return ValueTask.CompletedTask;
        }, cts.Token);

        Assert.True(result.Succeeded, result.Error);
        Assert.True(pieces.Count > 2, $"{pieces.Count} pieces");
        Assert.Equal("Once upon a time there was a very small model.", string.Concat(pieces.Select(p => p.Text)));
        Assert.Equal(result.Text, string.Concat(pieces.Select(p => p.Text)));
        Assert.True(pieces[0].AtMs < 800, $"first text after {pieces[0].AtMs} ms; the stall is 1 s");
        Assert.True(pieces[^1].AtMs >= 1000, $"last text after {pieces[^1].AtMs} ms");
        var row = await RowAsync(result.CallId, cts.Token);
        Assert.NotNull(row.FirstTokenMs);
        Assert.True(row.FirstTokenMs < 800 && row.LatencyMs >= 1000, $"first token {row.FirstTokenMs} ms, latency {row.LatencyMs} ms");
        Assert.Equal(result.FirstTokenMs, row.FirstTokenMs);
        Assert.True(row.InputTokens > 0 && row.CostUsd > 0m, "usage and cost were not recorded");
    }

    [Fact]
    public async Task StreamAsync_ServerErrorBeforeAnyText_IsRetriedAndSucceeds()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Status(500), SimStep.Reply("second time lucky"));
        var spec = await GatewayCalls.SpecAsync(fixture, tenant, requestsPerWindow: null, cts.Token);
        var text = new System.Text.StringBuilder();

        var result = await Gateway.StreamAsync(spec, GatewayCalls.Prompt("retry"), null, (piece, _) =>
        {
            text.Append(piece);
            return ValueTask.CompletedTask;
        }, cts.Token);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(("second time lucky", 2, 2), (text.ToString(), result.Attempts, tenant.Requests.Count));
    }

    [Fact]
    public async Task StreamAsync_ConnectionDroppedAfterText_FailsWithoutRetryingAPartlyShownAnswer()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.StallAfterChunks(2, TimeSpan.FromMilliseconds(100), SimStep.Abort()))
            .Otherwise(_ => SimStep.Reply("should not be asked"));
        var spec = await GatewayCalls.SpecAsync(fixture, tenant, requestsPerWindow: null, cts.Token);
        var shown = 0;

        var result = await Gateway.StreamAsync(spec, GatewayCalls.Prompt("drop"), null, (_, _) =>
        {
            shown++;
            return ValueTask.CompletedTask;
        }, cts.Token);

        Assert.False(result.Succeeded);
        Assert.True(shown > 0);
        Assert.Single(tenant.Requests);
        Assert.Equal("failed", (await RowAsync(result.CallId, cts.Token)).Status);
    }

    [Fact]
    public async Task StreamAsync_CachedAnswer_ArrivesWholeWithoutAProviderCall()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(_ => SimStep.Reply("an answer worth caching"));
        var spec = await GatewayCalls.SpecAsync(fixture, tenant, requestsPerWindow: null, cts.Token);
        await Gateway.StreamAsync(spec, GatewayCalls.Prompt("cache me"), null, (_, _) => ValueTask.CompletedTask, cts.Token);
        var pieces = new List<string>();

        var second = await Gateway.StreamAsync(spec, GatewayCalls.Prompt("cache me"), null, (text, _) =>
        {
            pieces.Add(text);
            return ValueTask.CompletedTask;
        }, cts.Token);

        Assert.True(second.CacheHit);
        Assert.Equal(["an answer worth caching"], pieces);
        Assert.Single(tenant.Requests);
    }

    private async Task<CallRow> RowAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<CallRow>(new CommandDefinition(
            "SELECT status, first_token_ms, latency_ms, input_tokens, cost_usd FROM llm_calls WHERE id = @id", new { id },
            cancellationToken: cancellationToken));
    }

    private sealed class CallRow
    {
        public string Status { get; init; } = "";

        public int? FirstTokenMs { get; init; }

        public int LatencyMs { get; init; }

        public int InputTokens { get; init; }

        public decimal CostUsd { get; init; }
    }
}

using Dapper;
using Edison.Core.Llm;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Llm;

/// <summary>
/// The LLM gateway against the provider simulator: Edison's one retry policy, failures stored as values, usage and cost,
/// one llm_calls row per logical call, and the API key kept out of rows and logs.
/// </summary>
[Collection(LlmTimingGroup.Name)]
public sealed class LlmGatewaySimulatorTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private const int MaxAttempts = 3; // CoreFixture's Edison:Llm:MaxAttempts

    private LlmGateway Gateway => fixture.Services.GetRequiredService<LlmGateway>();

    [Fact]
    public async Task CompleteAsync_429WithRetryAfterThenSuccess_SucceedsOnTheSecondAttemptAfterTheWait()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant()
            .Enqueue(SimStep.Status(429, retryAfter: TimeSpan.FromSeconds(1)), SimStep.Reply("second time lucky"));
        var spec = await SpecAsync(tenant, cts.Token);

        var result = await Gateway.CompleteAsync(spec, Prompt("hi"), null, cts.Token);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("second time lucky", result.Text);
        Assert.Equal(2, result.Attempts);
        var row = await CallAsync(result.CallId, cts.Token);
        Assert.Equal("succeeded", row.Status);
        Assert.Equal(2, row.Attempts);
        Assert.Null(row.ErrorClass);
        Assert.Equal(2, tenant.Requests.Count);
        var gap = tenant.Requests[1].ArrivedAt - tenant.Requests[0].ArrivedAt;
        Assert.True(gap >= TimeSpan.FromMilliseconds(900), $"The retry came {gap.TotalMilliseconds:F0} ms after the 429, before its Retry-After of 1 s.");
    }

    [Fact]
    public async Task CompleteAsync_500OnEveryAttempt_StoresServerErrorAfterMaxAttempts()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // A fourth attempt would succeed, so a gateway that retried past MaxAttempts would fail this test.
        var tenant = fixture.Simulator.CreateTenant()
            .Enqueue([.. Enumerable.Repeat(SimStep.Status(500), MaxAttempts)])
            .Otherwise(_ => SimStep.Reply("one attempt too many"));
        var spec = await SpecAsync(tenant, cts.Token);

        var result = await Gateway.CompleteAsync(spec, Prompt("hi"), null, cts.Token);

        Assert.False(result.Succeeded);
        Assert.Equal(LlmErrorClass.ServerError, result.ErrorClass);
        Assert.Equal(MaxAttempts, result.Attempts);
        var row = await CallAsync(result.CallId, cts.Token);
        Assert.Equal("failed", row.Status);
        Assert.Equal(nameof(LlmErrorClass.ServerError), row.ErrorClass);
        Assert.Equal(MaxAttempts, row.Attempts);
        Assert.Contains("server error", row.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(MaxAttempts, tenant.Requests.Count);
    }

    [Fact]
    public async Task CompleteAsync_401_FailsUnauthorizedWithoutRetrying()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Status(401)).Otherwise(_ => SimStep.Reply("should not be asked again"));
        var spec = await SpecAsync(tenant, cts.Token);

        var result = await Gateway.CompleteAsync(spec, Prompt("hi"), null, cts.Token);

        Assert.False(result.Succeeded);
        Assert.Equal(LlmErrorClass.Unauthorized, result.ErrorClass);
        var row = await CallAsync(result.CallId, cts.Token);
        Assert.Equal(nameof(LlmErrorClass.Unauthorized), row.ErrorClass);
        Assert.Equal(1, row.Attempts);
        Assert.Single(tenant.Requests);
    }

    [Fact]
    public async Task CompleteAsync_MalformedBody_StoresMalformedResponseWithoutThrowing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Malformed()).Otherwise(_ => SimStep.Reply("should not be asked again"));
        var spec = await SpecAsync(tenant, cts.Token);

        var result = await Gateway.CompleteAsync(spec, Prompt("hi"), null, cts.Token);

        Assert.False(result.Succeeded);
        Assert.Equal(LlmErrorClass.MalformedResponse, result.ErrorClass);
        var row = await CallAsync(result.CallId, cts.Token);
        Assert.Equal("failed", row.Status);
        Assert.Equal(nameof(LlmErrorClass.MalformedResponse), row.ErrorClass);
        Assert.False(string.IsNullOrWhiteSpace(row.Error));
        Assert.Single(tenant.Requests);
    }

    [Fact]
    public async Task CompleteAsync_ReplyWithUsage_RecordsTokensAndThePriceTableCost()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Reply("priced", inputTokens: 1200, outputTokens: 300));
        var spec = await SpecAsync(tenant, cts.Token);

        var result = await Gateway.CompleteAsync(spec, Prompt("hi"), null, cts.Token);

        // gpt-4o-mini is seeded at $0.15 input and $0.60 output per million tokens.
        const decimal Expected = (1200 * 0.15m / 1_000_000m) + (300 * 0.60m / 1_000_000m);
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(Expected, result.CostUsd);
        var row = await CallAsync(result.CallId, cts.Token);
        Assert.Equal(1200, row.InputTokens);
        Assert.Equal(300, row.OutputTokens);
        Assert.Equal(Expected, row.CostUsd);
        Assert.Equal("stop", row.FinishReason);
        Assert.Equal("priced", row.ResponseText);
        Assert.Equal(SimulatedExperiment.Model, row.Model);
        Assert.Equal(ProviderKinds.OpenAICompatible, row.Provider);
    }

    [Fact]
    public async Task CompleteAsync_ConnectionCutThenSuccess_RetriesTheNetworkErrorAndSucceeds()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Abort(), SimStep.Reply("after the reset"));
        var spec = await SpecAsync(tenant, cts.Token);

        var result = await Gateway.CompleteAsync(spec, Prompt("hi"), null, cts.Token);

        Assert.True(result.Succeeded, $"{result.ErrorClass}: {result.Error}");
        Assert.Equal("after the reset", result.Text);
        Assert.Equal(2, (await CallAsync(result.CallId, cts.Token)).Attempts);
        Assert.Equal(2, tenant.Requests.Count);
    }

    [Fact]
    public async Task CompleteAsync_ConnectionCutOnEveryAttempt_StoresNetworkErrorAfterMaxAttempts()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant()
            .Enqueue([.. Enumerable.Repeat(SimStep.Abort(), MaxAttempts)])
            .Otherwise(_ => SimStep.Reply("one attempt too many"));
        var spec = await SpecAsync(tenant, cts.Token);

        var result = await Gateway.CompleteAsync(spec, Prompt("hi"), null, cts.Token);

        Assert.False(result.Succeeded);
        Assert.Equal(LlmErrorClass.Network, result.ErrorClass);
        var row = await CallAsync(result.CallId, cts.Token);
        Assert.Equal((nameof(LlmErrorClass.Network), MaxAttempts), (row.ErrorClass, row.Attempts));
        Assert.Equal(MaxAttempts, tenant.Requests.Count);
    }

    [Fact]
    public async Task CompleteAsync_EndpointRefusesConnections_StoresNetworkErrorAfterMaxAttempts()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant();
        var draft = SimulatedExperiment.Draft(fixture.Simulator, tenant, cases: 1) with { BaseUrl = $"http://127.0.0.1:{FreePort.Next()}/v1" };
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services, draft, cts.Token);
        var (projectId, credentialId) = await SimulatedExperiment.CredentialAsync(fixture.Database.DataSource, experimentId, cts.Token);
        var spec = new LlmCallSpec(projectId, credentialId, SimulatedExperiment.Model, "test") { ExperimentId = experimentId };

        var result = await Gateway.CompleteAsync(spec, Prompt("hi"), null, cts.Token);

        Assert.False(result.Succeeded);
        Assert.Equal(LlmErrorClass.Network, result.ErrorClass);
        var row = await CallAsync(result.CallId, cts.Token);
        Assert.Equal((nameof(LlmErrorClass.Network), MaxAttempts), (row.ErrorClass, row.Attempts));
        Assert.Contains("could not be reached", row.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteAsync_AttemptSlowerThanAttemptTimeout_RetriesAsTimeoutAndSucceeds()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var host = await fixture.StartHostAsync([new("Edison:Llm:AttemptTimeout", "00:00:02")], cts.Token);
        var tenant = fixture.Simulator.CreateTenant()
            .Enqueue(SimStep.Delay(TimeSpan.FromSeconds(10), SimStep.Reply("too late")), SimStep.Reply("in time"));
        var spec = await SpecAsync(tenant, cts.Token);

        var result = await host.Services.GetRequiredService<LlmGateway>().CompleteAsync(spec, Prompt("hi"), null, cts.Token);

        Assert.True(result.Succeeded, $"{result.ErrorClass}: {result.Error}");
        Assert.Equal("in time", result.Text);
        Assert.Equal(2, result.Attempts);
        var gap = tenant.Requests[1].ArrivedAt - tenant.Requests[0].ArrivedAt;
        // Cut at the 2 s attempt timeout, long before the scripted 10 s answer.
        Assert.InRange(gap, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task CompleteAsync_KeyedCallAlreadySucceeded_ReusesItWithoutCallingTheProvider()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Reply("first")).Otherwise(_ => SimStep.Reply("paid twice"));
        var spec = await SpecAsync(tenant, cts.Token) with { CallKey = $"test:{Guid.NewGuid()}" };

        var first = await Gateway.CompleteAsync(spec, Prompt("hi"), null, cts.Token);
        var second = await Gateway.CompleteAsync(spec, Prompt("hi"), null, cts.Token);

        Assert.False(first.Reused);
        Assert.True(second.Reused);
        Assert.Equal(first.CallId, second.CallId);
        Assert.Equal("first", second.Text);
        Assert.Single(tenant.Requests);
        Assert.Equal(1, await CountCallsAsync(spec.CallKey!, cts.Token));
    }

    [Fact]
    public async Task CompleteAsync_KeyedCallFailedBefore_ReplacesTheFailureInTheSameRowAndAddsItsAttempts()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Status(401), SimStep.Reply("after the key was fixed"));
        var spec = await SpecAsync(tenant, cts.Token) with { CallKey = $"test:{Guid.NewGuid()}" };

        var failed = await Gateway.CompleteAsync(spec, Prompt("hi"), null, cts.Token);
        var succeeded = await Gateway.CompleteAsync(spec, Prompt("hi"), null, cts.Token);

        Assert.False(failed.Succeeded);
        Assert.True(succeeded.Succeeded, succeeded.Error);
        Assert.Equal(failed.CallId, succeeded.CallId);
        var row = await CallAsync(succeeded.CallId, cts.Token);
        Assert.Equal("succeeded", row.Status);
        Assert.Equal(2, row.Attempts);
        Assert.Null(row.ErrorClass);
        Assert.Equal(1, await CountCallsAsync(spec.CallKey!, cts.Token));
    }

    [Fact]
    public async Task CompleteAsync_SuccessAndEveryFailureClass_NeverStoresOrLogsTheApiKey()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(
            SimStep.Reply("fine"), SimStep.Status(400), SimStep.Status(401), SimStep.Malformed(),
            SimStep.Status(500), SimStep.Status(500), SimStep.Status(500), SimStep.Status(429, retryAfter: TimeSpan.FromSeconds(1)),
            SimStep.Reply("fine again"));
        var spec = await SpecAsync(tenant, cts.Token);

        var results = new List<LlmResult>();
        for (var i = 0; i < 6; i++)
        {
            results.Add(await Gateway.CompleteAsync(spec with { CallKey = $"test:{Guid.NewGuid()}" }, Prompt($"call {i}"), null, cts.Token));
        }

        Assert.Equal([true, false, false, false, false, true], results.Select(r => r.Succeeded));
        Assert.Equal(9, tenant.Requests.Count);
        Assert.All(tenant.Requests, r => Assert.Equal(tenant.ApiKey, r.ApiKey));
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var rows = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT row_to_json(c)::text FROM llm_calls c WHERE credential_id = @CredentialId", new { spec.CredentialId }, cancellationToken: cts.Token))).ToList();
        Assert.Equal(6, rows.Count);
        Assert.All(rows, r => Assert.DoesNotContain(tenant.ApiKey, r, StringComparison.Ordinal));
        var credential = await connection.QuerySingleAsync<string>(new CommandDefinition(
            "SELECT row_to_json(p)::text FROM provider_credentials p WHERE id = @CredentialId", new { spec.CredentialId }, cancellationToken: cts.Token));
        Assert.DoesNotContain(tenant.ApiKey, credential, StringComparison.Ordinal);
        Assert.Contains(tenant.ApiKey[^4..], credential, StringComparison.Ordinal);
        var logs = fixture.Logs.Entries;
        Assert.Contains(logs, l => l.Category == typeof(LlmGateway).FullName);
        Assert.All(logs, l => Assert.DoesNotContain(tenant.ApiKey, l.FullText, StringComparison.Ordinal));
    }

    private async Task<LlmCallSpec> SpecAsync(SimTenant tenant, CancellationToken cancellationToken)
    {
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services,
            SimulatedExperiment.Draft(fixture.Simulator, tenant, cases: 1), cancellationToken);
        var (projectId, credentialId) = await SimulatedExperiment.CredentialAsync(fixture.Database.DataSource, experimentId, cancellationToken);
        return new LlmCallSpec(projectId, credentialId, SimulatedExperiment.Model, "test") { ExperimentId = experimentId };
    }

    private static List<ChatMessage> Prompt(string text) => [new(ChatRole.System, "You are terse."), new(ChatRole.User, text)];

    private async Task<CallRow> CallAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<CallRow>(new CommandDefinition("""
            SELECT provider, model, status, attempts, input_tokens, output_tokens, cost_usd, finish_reason, response_text, error_class, error
            FROM llm_calls WHERE id = @id
            """, new { id }, cancellationToken: cancellationToken));
    }

    private async Task<int> CountCallsAsync(string callKey, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*)::int FROM llm_calls WHERE call_key = @callKey", new { callKey }, cancellationToken: cancellationToken));
    }

    private sealed record CallRow(string Provider, string Model, string Status, int Attempts, int InputTokens, int OutputTokens, decimal CostUsd,
        string? FinishReason, string? ResponseText, string? ErrorClass, string? Error);
}

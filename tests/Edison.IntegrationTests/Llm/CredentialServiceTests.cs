using Dapper;
using Edison.Core.Llm;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Llm;

/// <summary>
/// Credential management against the provider simulator: validation with sentences, test connection through the gateway,
/// rotation, disabling, deletion guarded by the configs that use a credential, and an audit row per change.
/// </summary>
public sealed class CredentialServiceTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private CredentialService Credentials => fixture.Services.GetRequiredService<CredentialService>();

    private LlmGateway Gateway => fixture.Services.GetRequiredService<LlmGateway>();

    [Fact]
    public async Task CreateAsync_InvalidDrafts_AreRefusedWithASentence()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant();
        var projectId = await CredentialScenario.ProjectAsync(fixture.Database.DataSource, cts.Token);
        var valid = CredentialScenario.Draft(fixture.Simulator, tenant, "Taken");
        await CredentialScenario.CreateAsync(fixture.Services, projectId, valid, cts.Token);

        await AssertRefusedAsync(valid with { Name = "taken" }, "already has a credential named");
        await AssertRefusedAsync(valid with { Name = "  " }, "name");
        await AssertRefusedAsync(valid with { Name = "Other", Provider = "bedrock-converse" }, "Unknown provider");
        await AssertRefusedAsync(valid with { Name = "Other", BaseUrl = null }, "needs a base URL");
        await AssertRefusedAsync(valid with { Name = "Other", BaseUrl = "ftp://example.com" }, "http");
        await AssertRefusedAsync(valid with { Name = "Other", BaseUrl = "https://user:pw@example.com/v1" }, "password");
        await AssertRefusedAsync(valid with { Name = "Other", ApiKey = "short" }, "characters long");
        await AssertRefusedAsync(valid with { Name = "Other", ApiKey = "sk-with a space" }, "spaces");
        Assert.Single(await Credentials.ListAsync(projectId, cts.Token));
        Assert.Contains(ProviderKinds.Anthropic, Credentials.Providers);

        async Task AssertRefusedAsync(CredentialDraft draft, string expected)
        {
            var change = await Credentials.CreateAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
                projectId, draft, cts.Token);
            Assert.False(change.Succeeded);
            Assert.Null(change.Id);
            Assert.Contains(expected, change.Error, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task CreateAsync_ValidDraft_ListsSummaryWithLastFourAndWritesAudit()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant();
        var projectId = await CredentialScenario.ProjectAsync(fixture.Database.DataSource, cts.Token);

        var id = await CredentialScenario.CreateAsync(fixture.Services, projectId, CredentialScenario.Draft(fixture.Simulator, tenant, " Sim "), cts.Token);

        var summary = Assert.Single(await Credentials.ListAsync(projectId, cts.Token));
        Assert.Equal(id, summary.Id);
        Assert.Equal("Sim", summary.Name);
        Assert.Equal(ProviderKinds.OpenAICompatible, summary.Provider);
        Assert.Equal(fixture.Simulator.OpenAIBaseUrl.ToString(), summary.BaseUrl);
        Assert.Equal(tenant.ApiKey[^4..], summary.KeyLast4);
        Assert.False(summary.IsDisabled);
        Assert.Null(summary.RotatedAt);
        Assert.Null(summary.LastTestedAt);
        var audit = Assert.Single(await AuditAsync(id, cts.Token));
        Assert.Equal("credential.create", audit.Action);
        Assert.Null(audit.Before);
        Assert.Contains(tenant.ApiKey[^4..], audit.After, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestConnectionAsync_SimulatorAnswers_ReportsOkWithOneTinyUncachedCall()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Status(401), SimStep.Reply("OK"), SimStep.Reply("OK again"));
        var projectId = await CredentialScenario.ProjectAsync(fixture.Database.DataSource, cts.Token);
        var id = await CredentialScenario.CreateAsync(fixture.Services, projectId, CredentialScenario.Draft(fixture.Simulator, tenant), cts.Token);
        Assert.False((await Credentials.TestConnectionAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, "gpt-4o-mini", cts.Token)).Ok);

        var result = await Credentials.TestConnectionAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, "gpt-4o-mini", cts.Token);
        var again = await Credentials.TestConnectionAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, "gpt-4o-mini", cts.Token);

        Assert.True(result.Ok, result.Error);
        Assert.Null(result.Error);
        Assert.Equal("OK", result.Answer);
        Assert.Equal("gpt-4o-mini", result.Model);
        Assert.InRange(result.LatencyMs, 0, 30_000);
        Assert.Equal("OK again", again.Answer); // a test is never answered from the response cache
        var request = tenant.Requests[1];
        Assert.Equal("Reply with OK.", request.LastUserText);
        Assert.Equal(5, request.Body["max_completion_tokens"]?.GetValue<int>());
        var summary = await Credentials.GetAsync(projectId, id, cts.Token);
        Assert.NotNull(summary?.LastTestedAt);
        Assert.Null(summary.LastTestError); // the earlier 401's error is cleared by the success
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var calls = (await connection.QueryAsync<(string Purpose, string? CallKey, string Status)>(new CommandDefinition(
            "SELECT purpose, call_key, status FROM llm_calls WHERE credential_id = @id ORDER BY started_at", new { id },
            cancellationToken: cts.Token))).ToList();
        Assert.Equal(3, calls.Count);
        Assert.All(calls, c => Assert.Equal(("test-connection", (string?)null), (c.Purpose, c.CallKey)));
    }

    [Fact]
    public async Task TestConnectionAsync_401_StoresTheRefusalInWords()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Status(401));
        var projectId = await CredentialScenario.ProjectAsync(fixture.Database.DataSource, cts.Token);
        var id = await CredentialScenario.CreateAsync(fixture.Services, projectId, CredentialScenario.Draft(fixture.Simulator, tenant), cts.Token);

        var result = await Credentials.TestConnectionAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, "gpt-4o-mini", cts.Token);

        Assert.False(result.Ok);
        Assert.Contains("refused the API key", result.Error, StringComparison.Ordinal);
        Assert.Null(result.Answer);
        var summary = await Credentials.GetAsync(projectId, id, cts.Token);
        Assert.NotNull(summary?.LastTestedAt);
        Assert.Equal(result.Error, summary.LastTestError);
        Assert.Single(tenant.Requests);
    }

    [Fact]
    public async Task TestConnectionAsync_UnreachableBaseUrl_StoresUnreachableInWords()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var projectId = await CredentialScenario.ProjectAsync(fixture.Database.DataSource, cts.Token);
        var draft = new CredentialDraft("Nowhere", ProviderKinds.OpenAICompatible, $"http://127.0.0.1:{FreePort.Next()}/v1", "sk-nobody-listens");
        var id = await CredentialScenario.CreateAsync(fixture.Services, projectId, draft, cts.Token);

        var noModel = await Credentials.TestConnectionAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, null, cts.Token);
        var result = await Credentials.TestConnectionAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, "gpt-4o-mini", cts.Token);

        Assert.False(noModel.Ok);
        Assert.Contains("Name a model", noModel.Error, StringComparison.Ordinal);
        Assert.False(result.Ok);
        Assert.Contains("could not be reached", result.Error, StringComparison.Ordinal);
        Assert.Equal(result.Error, (await Credentials.GetAsync(projectId, id, cts.Token))?.LastTestError);
    }

    [Fact]
    public async Task RotateAsync_NewKey_IsUsedAndTheOldKeyIsGone()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var before = fixture.Simulator.CreateTenant();
        var after = fixture.Simulator.CreateTenant();
        var projectId = await CredentialScenario.ProjectAsync(fixture.Database.DataSource, cts.Token);
        var id = await CredentialScenario.CreateAsync(fixture.Services, projectId, CredentialScenario.Draft(fixture.Simulator, before), cts.Token);
        Assert.True((await Credentials.TestConnectionAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, "gpt-4o-mini", cts.Token)).Ok);

        var change = await Credentials.RotateAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, after.ApiKey, cts.Token);
        var result = await Credentials.TestConnectionAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, "gpt-4o-mini", cts.Token);

        Assert.True(change.Succeeded, change.Error);
        Assert.True(result.Ok, result.Error);
        Assert.Single(before.Requests);
        Assert.Equal($"Bearer {after.ApiKey}", Assert.Single(after.Requests).Headers["Authorization"]);
        var stored = await fixture.Services.GetRequiredService<CredentialStore>().GetAsync(id, cts.Token);
        Assert.Equal(after.ApiKey, stored.ApiKey);
        var summary = await Credentials.GetAsync(projectId, id, cts.Token);
        Assert.Equal(after.ApiKey[^4..], summary?.KeyLast4);
        Assert.NotNull(summary?.RotatedAt);
        Assert.Equal(["credential.create", "credential.test", "credential.rotate", "credential.test"], (await AuditAsync(id, cts.Token)).Select(a => a.Action));
        Assert.Empty(await CredentialScenario.RowsContainingAsync(fixture.Database.DataSource, before.ApiKey, cts.Token));
        Assert.False((await Credentials.RotateAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, "tiny", cts.Token)).Succeeded);
    }

    [Fact]
    public async Task DisableAsync_Credential_GatewayStoresCredentialDisabledUntilEnabled()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant();
        var projectId = await CredentialScenario.ProjectAsync(fixture.Database.DataSource, cts.Token);
        var id = await CredentialScenario.CreateAsync(fixture.Services, projectId, CredentialScenario.Draft(fixture.Simulator, tenant), cts.Token);
        var spec = new LlmCallSpec(projectId, id, SimulatedExperiment.Model, "test") { BypassCache = true };

        Assert.True((await Credentials.DisableAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, cts.Token)).Succeeded);
        var disabled = await Gateway.CompleteAsync(spec, GatewayCalls.Prompt("hi"), null, cts.Token);
        Assert.True((await Credentials.EnableAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, cts.Token)).Succeeded);
        var enabled = await Gateway.CompleteAsync(spec, GatewayCalls.Prompt("hi"), null, cts.Token);

        Assert.False(disabled.Succeeded);
        Assert.Equal(LlmErrorClass.CredentialDisabled, disabled.ErrorClass);
        await using (var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token))
        {
            Assert.Equal(nameof(LlmErrorClass.CredentialDisabled), await connection.ExecuteScalarAsync<string>(new CommandDefinition(
                "SELECT error_class FROM llm_calls WHERE id = @id", new { id = disabled.CallId }, cancellationToken: cts.Token)));
        }

        Assert.True(enabled.Succeeded, enabled.Error);
        Assert.Single(tenant.Requests);
        Assert.Equal(["credential.create", "credential.disable", "credential.enable"], (await AuditAsync(id, cts.Token)).Select(a => a.Action));
    }

    [Fact]
    public async Task DeleteAsync_UsedByAnExperiment_IsRefusedNamingItThenAllowedOnceUnused()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant();
        var draft = SimulatedExperiment.Draft(fixture.Simulator, tenant, cases: 1);
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services, draft, cts.Token);
        var (projectId, id) = await SimulatedExperiment.CredentialAsync(fixture.Database.DataSource, experimentId, cts.Token);

        var tested = await Credentials.TestConnectionAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, null, cts.Token);
        var refused = await Credentials.DeleteAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token), projectId, id, cts.Token);
        Assert.True(tested.Ok, tested.Error);
        Assert.Equal(SimulatedExperiment.Model, tested.Model); // the model config's model, not the judge's
        Assert.False(refused.Succeeded);
        Assert.Contains($"experiment '{draft.Name}'", refused.Error, StringComparison.Ordinal);
        Assert.NotNull(await Credentials.GetAsync(projectId, id, cts.Token));

        await using (var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token))
        {
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM experiments WHERE id = @experimentId", new { experimentId },
                cancellationToken: cts.Token));
        }

        var deleted = await Credentials.DeleteAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token), projectId, id, cts.Token);
        Assert.True(deleted.Succeeded, deleted.Error);
        Assert.Null(await Credentials.GetAsync(projectId, id, cts.Token));
        var audit = (await AuditAsync(id, cts.Token)).Last();
        Assert.Equal("credential.delete", audit.Action);
        Assert.Null(audit.After);
        Assert.False((await Credentials.DeleteAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, cts.Token)).Succeeded);
    }

    private async Task<List<(string Action, string? Before, string? After)>> AuditAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<(string, string?, string?)>(new CommandDefinition(
            "SELECT action, before::text, after::text FROM audit_log WHERE entity_id = @id ORDER BY id", new { id },
            cancellationToken: cancellationToken))).ToList();
    }
}

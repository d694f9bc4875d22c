using System.Text.Json;
using Dapper;
using Edison.Core.Llm;
using Edison.IntegrationTests.Support;
using Edison.Testing.Simulator;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Edison.Testing;

namespace Edison.IntegrationTests.Llm;

/// <summary>
/// Keys at rest: encrypted with a Data Protection key ring kept in PostgreSQL, so another host decrypts them, and the plain
/// key appears in no row of any table, no log line at Trace level and no summary a page could render.
/// </summary>
public sealed class CredentialSecrecyTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private CredentialService Credentials => fixture.Services.GetRequiredService<CredentialService>();

    [Fact]
    public async Task CreateAsync_KeyEncryptedByOneHost_IsDecryptedByAnotherHostOnTheSameDatabase()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Reply("from host two"));
        var projectId = await CredentialScenario.ProjectAsync(fixture.Database.DataSource, cts.Token);
        var id = await CredentialScenario.CreateAsync(fixture.Services, projectId, CredentialScenario.Draft(fixture.Simulator, tenant), cts.Token);

        using var second = await fixture.StartHostAsync([], cts.Token);
        try
        {
            Assert.NotSame(fixture.Services.GetRequiredService<LlmGateway>(), second.Services.GetRequiredService<LlmGateway>());
            var decrypted = await second.Services.GetRequiredService<CredentialStore>().GetAsync(id, cts.Token);
            Assert.Equal(tenant.ApiKey, decrypted.ApiKey);

            var result = await second.Services.GetRequiredService<LlmGateway>().CompleteAsync(
                new LlmCallSpec(projectId, id, SimulatedExperiment.Model, "test") { BypassCache = true },
                GatewayCalls.Prompt("hi"), null, cts.Token);
            Assert.True(result.Succeeded, result.Error);
            Assert.Equal("from host two", result.Text);
            Assert.Equal($"Bearer {tenant.ApiKey}", Assert.Single(tenant.Requests).Headers["Authorization"]);

            // Host two's key ring is the one in PostgreSQL, not a file of this machine's.
            await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
            var stored = (await connection.QueryAsync<string>(new CommandDefinition("SELECT xml FROM data_protection_keys",
                cancellationToken: cts.Token))).ToList();
            var ring = second.Services.GetRequiredService<IKeyManager>().GetAllKeys();
            Assert.NotEmpty(ring);
            Assert.All(ring, key => Assert.Contains(stored, xml => xml.Contains(key.KeyId.ToString(), StringComparison.OrdinalIgnoreCase)));
        }
        finally
        {
            await second.StopAsync(cts.Token);
        }
    }

    [Fact]
    public async Task Lifecycle_PlainKeys_AppearInNoRowNoLogAndNoSummary()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var first = fixture.Simulator.CreateTenant();
        var second = fixture.Simulator.CreateTenant().Enqueue(SimStep.Status(401));
        var projectId = await CredentialScenario.ProjectAsync(fixture.Database.DataSource, cts.Token);
        var name = $"Secrecy {Guid.NewGuid():N}";
        var id = await CredentialScenario.CreateAsync(fixture.Services, projectId, CredentialScenario.Draft(fixture.Simulator, first, name), cts.Token);

        Assert.True((await Credentials.TestConnectionAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, SimulatedExperiment.Model, cts.Token)).Ok);
        Assert.True((await Credentials.RotateAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, second.ApiKey, cts.Token)).Succeeded);
        Assert.False((await Credentials.TestConnectionAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, SimulatedExperiment.Model, cts.Token)).Ok);
        Assert.True((await Credentials.DisableAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, cts.Token)).Succeeded);
        var summaries = await Credentials.ListAsync(projectId, cts.Token);
        var summaryJson = JsonSerializer.Serialize(summaries);

        // The scan finds what is stored in clear, so an empty result for the keys means something.
        Assert.Contains(await CredentialScenario.RowsContainingAsync(fixture.Database.DataSource, name, cts.Token),
            hit => hit.StartsWith("provider_credentials.name", StringComparison.Ordinal));
        Assert.Contains(second.ApiKey[^4..], summaryJson, StringComparison.Ordinal);
        Assert.Contains(fixture.Logs.Entries, e => e.Message.Contains(id.ToString(), StringComparison.Ordinal));
        foreach (var key in new[] { first.ApiKey, second.ApiKey })
        {
            Assert.Empty(await CredentialScenario.RowsContainingAsync(fixture.Database.DataSource, key, cts.Token));
            Assert.DoesNotContain(key, summaryJson, StringComparison.Ordinal);
            Assert.DoesNotContain(fixture.Logs.Entries, e => e.FullText.Contains(key, StringComparison.Ordinal));
        }
    }
}

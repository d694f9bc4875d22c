using Dapper;
using Edison.Core.Prompts;
using Edison.Core.ReadModels;
using Edison.Core.Security;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Prompts;

/// <summary>The one store of prompt versions: create, restore and label, each with one audit action whichever surface asks.</summary>
public sealed class PromptVersionStoreTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private PromptVersionStore Store => fixture.Services.GetRequiredService<PromptVersionStore>();

    [Fact]
    public async Task SetLabelAsync_FromThePagesAndByNumber_OneLabelOneAuditAction()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(SimulatedExperiment.Respond);
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services, SimulatedExperiment.Draft(fixture.Simulator, tenant, 2), cts.Token);
        var actor = await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.Experiment, experimentId, cts.Token);
        var v2 = await Store.CreateAsync(actor, experimentId, 1, "Answer briefly: {{ question }}", null, "shorter", cts.Token);
        Assert.NotNull(v2);
        var v3 = await Store.RestoreAsync(actor, experimentId, await VersionIdAsync(experimentId, 1, cts.Token), cts.Token);
        Assert.Equal(3, v3);

        // The versions page moves production to v2, then a script moves it to v3 by number.
        Assert.True(await fixture.Services.GetRequiredService<PromptVersionHistory>().SetProductionAsync(actor, experimentId, v2.Value, cts.Token));
        Assert.True(await Store.SetLabelAsync(actor, experimentId, 3, PromptVersionStore.ProductionLabel, cts.Token));
        Assert.False(await Store.SetLabelAsync(actor, experimentId, 9, PromptVersionStore.ProductionLabel, cts.Token));

        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var labelled = await connection.QueryAsync<int>(new CommandDefinition(
            "SELECT version FROM prompt_versions WHERE experiment_id = @experimentId AND 'production' = ANY (labels)", new { experimentId },
            cancellationToken: cts.Token));
        Assert.Equal([3], labelled);
        var actions = await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT action FROM audit_log WHERE action LIKE 'prompt-version.%' AND after ->> 'experimentId' = @id ORDER BY created_at, action
            """, new { id = experimentId.ToString() }, cancellationToken: cts.Token));
        Assert.Equal(["prompt-version.create", "prompt-version.restore", "prompt-version.label", "prompt-version.label"], actions);
    }

    private async Task<Guid> VersionIdAsync(Guid experimentId, int version, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<Guid>(new CommandDefinition(
            "SELECT id FROM prompt_versions WHERE experiment_id = @experimentId AND version = @version", new { experimentId, version },
            cancellationToken: cancellationToken));
    }
}

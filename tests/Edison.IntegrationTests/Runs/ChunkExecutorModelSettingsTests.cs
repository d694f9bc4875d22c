using System.Globalization;
using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.Jobs;
using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Edison.Testing;
using Edison.Core.Security;

namespace Edison.IntegrationTests.Runs;

/// <summary>A model config's parameters (model_configs.parameters) reach every provider request of its runs.</summary>
public sealed class ChunkExecutorModelSettingsTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    [Fact]
    public async Task ExecuteChunkAsync_ModelConfigWithParameters_SendsThemOnEveryCall()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(SimulatedExperiment.Answer);
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services,
            SimulatedExperiment.Draft(fixture.Simulator, tenant, cases: 3), cts.Token);
        await using (var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token))
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE model_configs SET parameters = '{"temperature": 0.25, "maxOutputTokens": 77, "reasoningEffort": "low"}'
                WHERE experiment_id = @experimentId
                """, new { experimentId }, cancellationToken: cts.Token));
        }

        var started = await fixture.Services.GetRequiredService<IterationService>().StartAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.Experiment, experimentId, cts.Token), experimentId, cts.Token);
        Assert.Null(started.Error);
        await fixture.Services.GetRequiredService<IterationCoordinator>().AdvanceAsync(started.IterationId!.Value, cts.Token);
        var request = Assert.Single(fixture.Jobs.Requests, r =>
            r.JobType == WorkerJobs.ExecuteChunk && r.Data[WorkerJobs.Keys.IterationId] == started.IterationId.Value.ToString());

        await fixture.Services.GetRequiredService<ChunkExecutor>().ExecuteChunkAsync(Guid.Parse(request.Data[WorkerJobs.Keys.ModelRunId]),
            int.Parse(request.Data[WorkerJobs.Keys.From], CultureInfo.InvariantCulture),
            int.Parse(request.Data[WorkerJobs.Keys.Count], CultureInfo.InvariantCulture), cts.Token);

        Assert.Equal(3, tenant.Requests.Count);
        Assert.All(tenant.Requests, r =>
        {
            Assert.Equal(0.25, r.Body["temperature"]?.GetValue<double>() ?? double.NaN, 3);
            Assert.Equal(77, r.Body["max_completion_tokens"]?.GetValue<int>());
            Assert.Equal("low", r.Body["reasoning_effort"]?.GetValue<string>());
        });
    }
}

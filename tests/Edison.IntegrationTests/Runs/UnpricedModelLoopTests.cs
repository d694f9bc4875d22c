using Dapper;
using Edison.Core.Experiments;
using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Edison.Testing;
using Edison.Core.Security;

namespace Edison.IntegrationTests.Runs;

/// <summary>An iteration whose model has no price says so on its view instead of presenting a partial cost as the whole.</summary>
public sealed class UnpricedModelLoopTests(WorkerLoopFixture fixture) : IClassFixture<WorkerLoopFixture>
{
    private ExperimentService Experiments => fixture.Services.GetRequiredService<ExperimentService>();

    private IterationService Iterations => fixture.Services.GetRequiredService<IterationService>();

    [Fact]
    public async Task GetAsync_IterationOfUnpricedModel_FlagsUnpricedCallsAndModel()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        const int Cases = 3;
        var tenant = fixture.Simulator.CreateTenant().Otherwise(SimulatedExperiment.Respond);
        var draft = SimulatedExperiment.Draft(fixture.Simulator, tenant, Cases) with { Model = "mystery-model" };
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services, draft, cts.Token);

        var started = await Iterations.StartAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.Experiment, experimentId, cts.Token),
            experimentId, cts.Token);
        Assert.Null(started.Error);
        var iterationId = started.IterationId!.Value;
        var view = await IterationAssertions.WaitUntilFinishedAsync(Iterations, iterationId, cts.Token);

        Assert.Equal(IterationStatus.Completed, view.Status);
        Assert.Equal((Cases, "mystery-model"), (view.UnpricedCalls, view.UnpricedModels));
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var rows = (await connection.QueryAsync<(string Model, bool PriceKnown)>(new CommandDefinition(
            "SELECT model, price_known FROM llm_calls WHERE iteration_id = @iterationId", new { iterationId }, cancellationToken: cts.Token))).ToList();
        Assert.Equal(2 * Cases, rows.Count);
        Assert.All(rows, r => Assert.Equal(r.Model != "mystery-model", r.PriceKnown));
        Assert.True(view.CostUsd > 0, "The priced judge calls recorded no cost.");
    }

    [Fact]
    public async Task GetAsync_IterationOfPricedModels_NoUnpricedCalls()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(SimulatedExperiment.Respond);
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services, SimulatedExperiment.Draft(fixture.Simulator, tenant, 2), cts.Token);

        var started = await Iterations.StartAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.Experiment, experimentId, cts.Token),
            experimentId, cts.Token);
        Assert.Null(started.Error);
        var view = await IterationAssertions.WaitUntilFinishedAsync(Iterations, started.IterationId!.Value, cts.Token);

        Assert.Equal(IterationStatus.Completed, view.Status);
        Assert.Equal((0, (string?)null), (view.UnpricedCalls, view.UnpricedModels));
    }
}

using System.Globalization;
using Dapper;
using Edison.Core.Experiments;
using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Edison.Testing;
using Edison.Core.Security;

namespace Edison.IntegrationTests.Runs;

/// <summary>The pre-run estimate, and the budget enforced before a run starts and before every provider call of a run.</summary>
public sealed class RunBudgetTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private const decimal MiniInputPerMtok = 0.15m;

    private ExperimentService Experiments => fixture.Services.GetRequiredService<ExperimentService>();

    private IterationService Iterations => fixture.Services.GetRequiredService<IterationService>();

    [Fact]
    public async Task EstimateAsync_PricedExperiment_CountsCallsPerPartAndPricesThem()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(SimulatedExperiment.Respond);
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services, SimulatedExperiment.Draft(fixture.Simulator, tenant, 4), cts.Token);
        await SetBudgetAsync(fixture.Database.DataSource, experimentId, 5m, cts.Token);

        var estimate = await Iterations.EstimateAsync(experimentId, cts.Token);

        Assert.NotNull(estimate);
        var model = Assert.Single(estimate.Parts, p => p.Part == RunEstimatePart.ModelCalls);
        var judge = Assert.Single(estimate.Parts, p => p.Part == RunEstimatePart.PointwiseJudge);
        Assert.Equal((SimulatedExperiment.Model, 4, 4L * RunEstimator.DefaultOutputAllowance), (model.Model, model.Calls, model.OutputTokens));
        Assert.Equal((SimulatedExperiment.JudgeModel, 4), (judge.Model, judge.Calls));
        Assert.InRange(model.InputTokens, 4 * 10, 4 * 60);
        // The judge reads the case and the answer (at its allowance) inside its rubric prompt.
        Assert.True(judge.InputTokens > model.InputTokens + (4 * RunEstimator.DefaultOutputAllowance));
        Assert.Equal(((model.InputTokens * 0.15m) + (model.OutputTokens * 0.60m)) / 1_000_000m, model.CostUsd);
        Assert.Equal(estimate.Parts.Sum(p => p.CostUsd), estimate.TotalUsd);
        Assert.Equal((5m, 0m, (string?)null), (estimate.BudgetUsd, estimate.SpentUsd, estimate.PriceWarning));
        Assert.Empty(tenant.Requests);
    }

    [Fact]
    public async Task EstimateAsync_UnpricedModel_SaysPriceUnknownForIt()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(SimulatedExperiment.Respond);
        var draft = SimulatedExperiment.Draft(fixture.Simulator, tenant, 2) with { Model = "mystery-model" };
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services, draft, cts.Token);

        var estimate = await Iterations.EstimateAsync(experimentId, cts.Token);

        Assert.NotNull(estimate);
        Assert.Equal(["mystery-model"], estimate.UnpricedModels);
        Assert.StartsWith("Price unknown for models mystery-model", estimate.PriceWarning, StringComparison.Ordinal);
        Assert.False(Assert.Single(estimate.Parts, p => p.Part == RunEstimatePart.ModelCalls).PriceKnown);
        Assert.True(estimate.TotalUsd > 0, "The priced judge is missing from the total.");
    }

    [Fact]
    public async Task StartAsync_EstimatePassesBudget_RefusesWithTheFigures()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(SimulatedExperiment.Respond);
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services, SimulatedExperiment.Draft(fixture.Simulator, tenant, 5), cts.Token);
        var estimate = (await Iterations.EstimateAsync(experimentId, cts.Token))!;
        var budget = decimal.Round(estimate.TotalUsd / 2, 6);
        await SetBudgetAsync(fixture.Database.DataSource, experimentId, budget, cts.Token);

        var started = await Iterations.StartAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.Experiment, experimentId, cts.Token),
            experimentId, cts.Token);

        Assert.Null(started.IterationId);
        Assert.Equal($"The run did not start: it would cost about {BudgetGuard.Usd(estimate.TotalUsd)}, but $0.00 of the {BudgetGuard.Usd(budget)} "
                     + $"budget is already spent, leaving {BudgetGuard.Usd(budget)}. Raise the budget or run fewer cases, samples or models.",
            started.Error);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*)::int FROM iterations WHERE experiment_id = @experimentId", new { experimentId }, cancellationToken: cts.Token)));
        Assert.Empty(tenant.Requests);

        await SetBudgetAsync(fixture.Database.DataSource, experimentId, estimate.TotalUsd, cts.Token);
        Assert.Null((await Iterations.StartAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.Experiment, experimentId, cts.Token),
            experimentId, cts.Token)).Error);
    }

    [Fact]
    public async Task ExecuteChunkAsync_BudgetRunsOutMidRun_StopsCleanlyWithExactSpendAndPartialOutputs()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        // One call at a time, so the call that reaches the budget is the last one made.
        using var host = await fixture.StartHostAsync([new("Edison:Llm:ChunkConcurrency", "1")], cts.Token);
        var services = host.Services;
        const int Cases = 8;
        var experiments = services.GetRequiredService<ExperimentService>();
        var iterations = services.GetRequiredService<IterationService>();
        var tenant = fixture.Simulator.CreateTenant();
        var experimentId = await SimulatedExperiment.CreateAsync(services, SimulatedExperiment.Draft(fixture.Simulator, tenant, Cases), cts.Token);
        var estimate = (await iterations.EstimateAsync(experimentId, cts.Token))!;
        var budget = decimal.Round(estimate.TotalUsd, 6, MidpointRounding.ToPositiveInfinity);
        await SetBudgetAsync(fixture.Database.DataSource, experimentId, budget, cts.Token);
        // Each answer reports input tokens worth 40% of the budget: the third call passes it, the fourth must not start.
        var tokensPerCall = (int)decimal.Ceiling(budget * 0.4m * 1_000_000m / MiniInputPerMtok / 20) * 20;
        var costPerCall = tokensPerCall * MiniInputPerMtok / 1_000_000m;
        tenant.Otherwise(r => SimulatedExperiment.IsJudgeCall(r)
            ? SimulatedExperiment.Verdict(3)
            : SimStep.Reply($"answer-{SimulatedExperiment.CaseNumber(r)}", tokensPerCall, 0));

        var iterationId = await IterationDriver.RunAsync(services, experimentId, cts.Token);

        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var row = await connection.QuerySingleAsync<(string Status, string? StopReason, decimal CostUsd, string? Metrics)>(new CommandDefinition(
            "SELECT status, stop_reason, cost_usd, metrics::text FROM iterations WHERE id = @iterationId", new { iterationId },
            cancellationToken: cts.Token));
        var spent = await connection.ExecuteScalarAsync<decimal>(new CommandDefinition(
            "SELECT sum(cost_usd) FROM llm_calls WHERE experiment_id = @experimentId", new { experimentId }, cancellationToken: cts.Token));
        var outputs = await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT o.text FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id WHERE mr.iteration_id = @iterationId AND o.status = 'succeeded'
            """, new { iterationId }, cancellationToken: cts.Token));
        var experiment = await connection.QuerySingleAsync<(string Status, string StopReason)>(new CommandDefinition(
            "SELECT status, stop_reason FROM experiments WHERE id = @experimentId", new { experimentId }, cancellationToken: cts.Token));

        Assert.Equal(3, tenant.Requests.Count);
        Assert.Equal(3 * costPerCall, spent);
        Assert.Equal(IterationStatus.Cancelled, row.Status);
        Assert.Equal($"Budget of {BudgetGuard.Usd(budget)} reached: {BudgetGuard.Usd(spent)} spent", row.StopReason);
        Assert.Equal(spent, row.CostUsd);
        Assert.Null(row.Metrics);
        Assert.Equal(["answer-1", "answer-2", "answer-3"], outputs.Order(StringComparer.Ordinal));
        Assert.Equal(("stopped", row.StopReason), experiment);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"${budget:0.00####}"), BudgetGuard.Usd(budget));
    }

    internal static async Task SetBudgetAsync(NpgsqlDataSource dataSource, Guid experimentId, decimal budgetUsd, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE experiments SET stop_rules = jsonb_set(stop_rules, '{budgetUsd}', to_jsonb(@budgetUsd)) WHERE id = @experimentId",
            new { experimentId, budgetUsd }, cancellationToken: cancellationToken));
    }
}

using Dapper;
using Edison.Core.Runs;
using Edison.Core.Security;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Runs;

/// <summary>The iteration's owner against PostgreSQL: every transition is a compare-and-set that one racer wins, guarded by its source states.</summary>
public sealed class IterationLifecycleTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private IterationLifecycle Lifecycle => fixture.Services.GetRequiredService<IterationLifecycle>();

    [Fact]
    public async Task StartExecutingAsync_EightRacers_ExactlyOneWinsAndStampsStartedAt()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (experimentId, iterationId) = await StartAsync(cts.Token);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Lifecycle.StartExecutingAsync(iterationId, cts.Token)));

        Assert.Equal(experimentId, Assert.Single(results, r => r is not null));
        var row = await RowAsync(iterationId, cts.Token);
        Assert.Equal(IterationStatus.Executing, row.Status);
        Assert.NotNull(row.StartedAt);
        Assert.Null(row.FinishedAt);
    }

    [Fact]
    public async Task StartJudgingAsync_FromPending_RefusedAndChangesNothing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (_, iterationId) = await StartAsync(cts.Token);

        Assert.Null(await Lifecycle.StartJudgingAsync(iterationId, cts.Token));
        Assert.Null(await Lifecycle.AwaitReviewAsync(iterationId, cts.Token));

        Assert.Equal(IterationStatus.Pending, (await RowAsync(iterationId, cts.Token)).Status);
    }

    [Fact]
    public async Task FailAsync_Unfinished_EndsWithTheErrorAndNoLaterTransitionApplies()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (experimentId, iterationId) = await StartAsync(cts.Token);
        Assert.NotNull(await Lifecycle.StartExecutingAsync(iterationId, cts.Token));

        Assert.Equal(experimentId, await Lifecycle.FailAsync(iterationId, "The model configuration was deleted.", cts.Token));
        Assert.Null(await Lifecycle.FailAsync(iterationId, "again", cts.Token));
        await using (var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token))
        await using (var transaction = await connection.BeginTransactionAsync(cts.Token))
        {
            Assert.Null(await Lifecycle.CancelAsync(connection, transaction, iterationId, "too late", cts.Token));
            await transaction.CommitAsync(cts.Token);
        }

        var row = await RowAsync(iterationId, cts.Token);
        Assert.Equal((IterationStatus.Failed, "The model configuration was deleted.", (string?)null), (row.Status, row.Error, row.StopReason));
        Assert.NotNull(row.FinishedAt);
    }

    private async Task<(Guid ExperimentId, Guid IterationId)> StartAsync(CancellationToken cancellationToken)
    {
        var tenant = fixture.Simulator.CreateTenant().Otherwise(SimulatedExperiment.Respond);
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services, SimulatedExperiment.Draft(fixture.Simulator, tenant, 3), cancellationToken);
        var started = await fixture.Services.GetRequiredService<IterationService>().StartAsync(
            await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.Experiment, experimentId, cancellationToken), experimentId, cancellationToken);
        return (experimentId, started.IterationId ?? throw new InvalidOperationException(started.Error));
    }

    private async Task<Row> RowAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<Row>(new CommandDefinition(
            "SELECT status, started_at, finished_at, error, stop_reason FROM iterations WHERE id = @iterationId", new { iterationId },
            cancellationToken: cancellationToken));
    }

    private sealed record Row(string Status, DateTime? StartedAt, DateTime? FinishedAt, string? Error, string? StopReason);
}

using System.Globalization;
using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.ReadModels;
using Edison.Core.Runs;
using Edison.Core.Security;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.ReadModels;

/// <summary>
/// The iteration page's reads: the results grid pages before it aggregates yet returns what aggregating every row first
/// returned, for every filter; a settled iteration's kept figures (progress, calls, grid pages) show every later write at
/// once, including a write that was still in flight when the iteration settled.
/// </summary>
public sealed class IterationPageReadsTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private const int Cases = 40;

    [Theory]
    [InlineData(IterationStatus.Judging)]
    [InlineData(IterationStatus.Completed)]
    public async Task ResultsGrid_EveryFilterAndPage_ReturnsWhatAggregatingEveryRowFirstReturned(string status)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var iterationId = await SeedAsync(status, cts.Token);
        var insights = fixture.Services.GetRequiredService<IterationInsightsQuery>();
        var filters = new List<ResultsFilter>
        {
            new(), new() { Page = 2 }, new() { Page = 5 }, new() { Failures = true }, new() { Criterion = SimulatedExperiment.Criterion, Below = 3 },
            new() { Criterion = SimulatedExperiment.Criterion }, new() { Tag = "billing" }, new() { Split = "test" }, new() { Disagreement = true },
            new() { Flagged = true }, new() { CutOff = true }, new() { Tag = "billing", Split = "test", Disagreement = true },
            new() { Failures = true, Flagged = true, Page = 1 }, new() { Criterion = SimulatedExperiment.Criterion, Below = 4.5, Page = 2 },
        };

        foreach (var filter in filters)
        {
            var expected = await AggregateFirstAsync(iterationId, filter, cts.Token);
            // Twice: the second read of a settled iteration is the kept page.
            for (var read = 0; read < 2; read++)
            {
                var actual = await insights.GetResultsAsync(iterationId, filter, cts.Token);
                Assert.Equal(expected.Total, actual.Total);
                Assert.Equal(expected.Rows.Select(Describe), actual.Rows.Select(Describe));
            }
        }

        // Every filter matched something, so none of the comparisons above was vacuous.
        foreach (var filter in filters.Where(f => f.Page == 1))
        {
            Assert.True((await AggregateFirstAsync(iterationId, filter, cts.Token)).Total > 0, $"no rows for {filter}");
        }
    }

    [Fact]
    public async Task SettledIteration_HumanRatingAfterThePageWasRead_ShowsOnTheNextRead()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var iterationId = await SeedAsync(IterationStatus.Completed, cts.Token);
        var insights = fixture.Services.GetRequiredService<IterationInsightsQuery>();
        var header = (await insights.GetHeaderAsync(iterationId, cts.Token))!;
        var before = await insights.GetResultsAsync(header, new ResultsFilter(), cts.Token);
        var row = before.Rows.First(r => r.OutputStatus == "succeeded");
        Assert.Same(before, await insights.GetResultsAsync((await insights.GetHeaderAsync(iterationId, cts.Token))!, new ResultsFilter(), cts.Token));

        var decision = await fixture.Services.GetRequiredService<ReviewService>().RateOutputAsync(
            await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.Iteration, iterationId, cts.Token), row.OutputId!.Value,
            new Dictionary<string, int> { [SimulatedExperiment.Criterion] = 5 }, "", cts.Token);
        Assert.True(decision.Accepted, decision.Error);

        var after = await insights.GetResultsAsync((await insights.GetHeaderAsync(iterationId, cts.Token))!, new ResultsFilter(), cts.Token);
        var rated = after.Rows.Single(r => r.OutputId == row.OutputId);
        Assert.Equal(row.Judged + 1, rated.Judged);
        Assert.NotEqual(row.Score, rated.Score);
        Assert.Equal(Describe((await AggregateFirstAsync(iterationId, new ResultsFilter(), cts.Token)).Rows.Single(r => r.OutputId == row.OutputId)),
            Describe(rated));
    }

    [Fact]
    public async Task SettledIteration_LateJudgmentCallAndJudgeChange_ShowOnTheNextRead()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var iterationId = await SeedAsync(IterationStatus.Cancelled, cts.Token);
        var iterations = fixture.Services.GetRequiredService<IterationService>();
        var insights = fixture.Services.GetRequiredService<IterationInsightsQuery>();
        var view = (await iterations.GetAsync(iterationId, cts.Token))!;
        var header = (await insights.GetHeaderAsync(iterationId, cts.Token))!;
        var failures = await insights.GetResultsAsync(header, new ResultsFilter { Failures = true }, cts.Token);

        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        // A chunk that was still running when the iteration was cancelled writes its judgment and its call afterwards.
        var outputId = await connection.ExecuteScalarAsync<Guid>(new CommandDefinition("""
            SELECT o.id FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id
            WHERE mr.iteration_id = @iterationId AND o.status = 'succeeded'
              AND NOT EXISTS (SELECT 1 FROM judgments j WHERE j.output_id = o.id AND j.status = 'failed')
            ORDER BY o.id LIMIT 1
            """, new { iterationId }, cancellationToken: cts.Token));
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO judge_configs
            SELECT (jsonb_populate_record(null::judge_configs, to_jsonb(j) || jsonb_build_object('id', gen_random_uuid(), 'model', 'late-judge'))).*
            FROM judge_configs j JOIN iterations i ON i.experiment_id = j.experiment_id
            WHERE i.id = @iterationId AND j.kind = 'pointwise' LIMIT 1;
            """, new { iterationId }, cancellationToken: cts.Token));
        var viewAfterNewJudge = (await iterations.GetAsync(iterationId, cts.Token))!;
        Assert.True(viewAfterNewJudge.JudgmentsTotal > view.JudgmentsTotal);

        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO judgments (id, iteration_id, output_id, judge_config_id, mode, pair_key, status, error)
            SELECT gen_random_uuid(), @iterationId, @outputId, jc.id, 'pointwise', '', 'failed', 'late'
            FROM judge_configs jc JOIN iterations i ON i.experiment_id = jc.experiment_id WHERE i.id = @iterationId AND jc.model = 'late-judge';
            INSERT INTO llm_calls (id, iteration_id, provider, model, purpose, status, started_at, finished_at)
            VALUES (gen_random_uuid(), @iterationId, 'openai', 'late-judge', 'late', 'succeeded', now(), now());
            """, new { iterationId, outputId }, cancellationToken: cts.Token));

        var viewAfter = (await iterations.GetAsync(iterationId, cts.Token))!;
        Assert.Equal(viewAfterNewJudge.JudgmentsDone + 1, viewAfter.JudgmentsDone);
        var headerAfter = (await insights.GetHeaderAsync(iterationId, cts.Token))!;
        Assert.Contains(headerAfter.Phases, p => p.Purpose == "late" && p.Calls == 1);
        var failuresAfter = await insights.GetResultsAsync(headerAfter, new ResultsFilter { Failures = true }, cts.Token);
        Assert.Equal(failures.Total + 1, failuresAfter.Total);
    }

    [Fact]
    public async Task IterationSettlingWhileAnOutputIsBeingWritten_PageWaitsForTheWriteAndShowsIt()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var iterationId = await SeedAsync(IterationStatus.Executing, cts.Token);
        var iterations = fixture.Services.GetRequiredService<IterationService>();
        var before = (await iterations.GetAsync(iterationId, cts.Token))!;

        // The writer inserts while the iteration runs (so its trigger bumps nothing) and commits only after the cancel.
        await using var writer = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        await using var transaction = await writer.BeginTransactionAsync(cts.Token);
        await writer.ExecuteAsync(new CommandDefinition(MissingOutputSql, new { iterationId }, transaction, cancellationToken: cts.Token));
        await using (var other = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token))
        {
            await other.ExecuteAsync(new CommandDefinition("UPDATE iterations SET status = 'cancelled' WHERE id = @iterationId", new { iterationId },
                cancellationToken: cts.Token));
        }

        var read = iterations.GetAsync(iterationId, cts.Token);
        await Poll.UntilAsync("the page read to wait for the writer (or to finish)", async ct => read.IsCompleted || await WaitingOnLockAsync(ct),
            done => done, cts.Token);
        Assert.False(read.IsCompleted, "The page read finished while an output was still being written.");
        await transaction.CommitAsync(cts.Token);

        Assert.Equal(before.OutputsDone + 1, (await read)!.OutputsDone);
        Assert.Equal(before.OutputsDone + 1, (await iterations.GetAsync(iterationId, cts.Token))!.OutputsDone);
    }

    [Fact]
    public async Task SettledIteration_ReadersMissingTogether_ShareOneComputation()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var iterationId = await SeedAsync(IterationStatus.Completed, cts.Token);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var stamp = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT change_stamp FROM iterations WHERE id = @iterationId",
            new { iterationId }, cancellationToken: cts.Token));
        var cache = fixture.Services.GetRequiredService<SettledIterationCache>();
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var computations = 0;

        var readers = Enumerable.Range(0, 10).Select(_ => cache.GetOrComputeAsync(iterationId, IterationStatus.Completed, stamp, "probe",
            async _ =>
            {
                Interlocked.Increment(ref computations);
                return await release.Task;
            }, cts.Token)).ToList();
        release.SetResult("figures");

        Assert.All(await Task.WhenAll(readers), value => Assert.Equal("figures", value));
        Assert.Equal(1, computations);
        Assert.Equal("figures", await cache.GetOrComputeAsync(iterationId, IterationStatus.Completed, stamp, "probe",
            _ => Task.FromResult("computed again"), cts.Token));
    }

    private async Task<bool> WaitingOnLockAsync(CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock')
            """, cancellationToken: cancellationToken));
    }

    private static string Describe(ResultRow r) => string.Join(" | ", r.OutputId, r.Position, r.Model, r.Sample, r.Input, string.Join(",", r.Tags),
        r.Split, r.OutputStatus, r.Output, r.OutputError, r.Truncated, r.Score?.ToString("R", CultureInfo.InvariantCulture),
        r.Spread?.ToString("R", CultureInfo.InvariantCulture), r.Judged, r.JudgeFailures, string.Join(",", r.Flags.Order(StringComparer.Ordinal)));

    /// The grid query as it was before it paged first: every row's judgments aggregated, then filtered and paged.
    private async Task<ResultsPage> AggregateFirstAsync(Guid iterationId, ResultsFilter filter, CancellationToken cancellationToken)
    {
        var page = Math.Max(1, filter.Page);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<ResultRow, int, (ResultRow Row, int Total)>(new CommandDefinition("""
            WITH grid AS (
                SELECT o.id AS output_id, dvc.position + 1 AS position, mc.model, coalesce(o.sample, 0) AS sample, cv.input::text AS input,
                       cv.tags, cv.split, o.status AS output_status, o.text AS output, o.error AS output_error, coalesce(o.truncated, false) AS truncated,
                       j.score, j.spread, coalesce(j.judged, 0) AS judged, coalesce(j.failed, 0) AS judge_failures,
                       coalesce(o.pii_flags, '{}') || coalesce(j.flags, '{}') AS flags, j.low_criteria, mc.position AS model_position
                FROM iterations i
                JOIN model_runs mr ON mr.iteration_id = i.id
                JOIN model_configs mc ON mc.id = mr.model_config_id
                JOIN dataset_version_cases dvc ON dvc.dataset_version_id = i.dataset_version_id
                JOIN case_versions cv ON cv.case_id = dvc.case_id AND cv.version = dvc.case_version
                LEFT JOIN outputs o ON o.model_run_id = mr.id AND o.case_id = dvc.case_id
                LEFT JOIN LATERAL (
                    SELECT avg(composite) FILTER (WHERE status = 'succeeded' AND mode <> 'pairwise') AS score,
                           max(composite) FILTER (WHERE status = 'succeeded' AND mode <> 'pairwise')
                             - min(composite) FILTER (WHERE status = 'succeeded' AND mode <> 'pairwise') AS spread,
                           count(*) FILTER (WHERE status = 'succeeded' AND mode <> 'pairwise')::int AS judged,
                           count(*) FILTER (WHERE status = 'failed')::int AS failed,
                           array(SELECT DISTINCT f FROM judgments jj, unnest(jj.safety_flags) f WHERE jj.output_id = o.id) AS flags,
                           bool_or(@criterion::text IS NOT NULL AND status = 'succeeded' AND (scores ->> @criterion::text)::double precision < @below::double precision)
                               AS low_criteria
                    FROM judgments WHERE output_id = o.id
                ) j ON o.id IS NOT NULL
                WHERE i.id = @iterationId
            )
            SELECT *, count(*) OVER ()::int AS total FROM grid
            WHERE (NOT @failures OR output_status = 'failed' OR judge_failures > 0)
              AND (@criterion::text IS NULL OR @below::double precision IS NULL OR coalesce(low_criteria, false))
              AND (@tag::text IS NULL OR @tag = ANY(tags))
              AND (@split::text IS NULL OR split = @split)
              AND (NOT @disagreement OR spread >= 1)
              AND (NOT @flagged OR cardinality(flags) > 0)
              AND (NOT @cutOff OR truncated)
            ORDER BY position, model_position, sample
            LIMIT @pageSize OFFSET @offset
            """,
            new
            {
                iterationId, failures = filter.Failures, criterion = filter.Criterion, below = filter.Below, tag = filter.Tag, split = filter.Split,
                disagreement = filter.Disagreement, flagged = filter.Flagged, cutOff = filter.CutOff, pageSize = ResultsFilter.PageSize,
                offset = (page - 1) * ResultsFilter.PageSize,
            }, cancellationToken: cancellationToken), (row, total) => (row, total), splitOn: "total")).ToList();
        return new ResultsPage(rows.Select(r => r.Row).ToList(), rows.Count == 0 ? 0 : rows[0].Total, page);
    }

    /// Writes the output of the first case × model that has none.
    private const string MissingOutputSql = """
        INSERT INTO outputs (id, model_run_id, case_id, case_version, sample, status, text)
        SELECT gen_random_uuid(), mr.id, dvc.case_id, dvc.case_version, 0, 'succeeded', 'late answer'
        FROM iterations i JOIN model_runs mr ON mr.iteration_id = i.id
        JOIN dataset_version_cases dvc ON dvc.dataset_version_id = i.dataset_version_id
        WHERE i.id = @iterationId AND NOT EXISTS (SELECT 1 FROM outputs o WHERE o.model_run_id = mr.id AND o.case_id = dvc.case_id)
        ORDER BY dvc.position, mr.id LIMIT 1
        """;

    private Task<Guid> SeedAsync(string status, CancellationToken cancellationToken) =>
        SeededIteration.CreateAsync(fixture.Services, fixture.Database.DataSource, fixture.Simulator, Cases, status, cancellationToken);
}

using System.IO.Compression;
using Dapper;
using Edison.Core.Api;
using Edison.Core.Bundles;
using Edison.Core.Experiments;
using Edison.Core.Jobs;
using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Edison.Testing.Simulator;
using Edison.Worker.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;
using Edison.Core.Security;

namespace Edison.IntegrationTests.Bundles;

/// <summary>
/// An experiment with a completed iteration, a derived version, a suggestion and its review is exported, imported into an
/// empty database under new ids, and exported again: both bundles have the same canonical content, the imported experiment
/// shows the same versions and scores, and it can start a new iteration.
/// </summary>
public sealed class BundleRoundTripTests(ITestOutputHelper output)
{
    private const int Cases = 8;

    [Fact]
    public async Task ExportImportExport_IntoEmptyDatabase_SameCanonicalContentNewIdsAndANewIterationStarts()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        await using var source = await TestDatabase.CreateAsync(cts.Token);
        await using var target = await TestDatabase.CreateAsync(cts.Token);
        await using var simulator = await ProviderSimulator.StartAsync(cts.Token);
        var redis = TestEnvironment.RedisConnectionStringWithPrefix(TestEnvironment.NewRedisPrefix());
        await using var worker = WorkerProcess.Start(source.ConnectionString, redis);
        using var sourceHost = await StartHostAsync(source.ConnectionString, redis, b => b.AddEdisonScheduler(runsJobs: false), cts.Token);
        var jobs = new RecordingJobScheduler();
        using var targetHost = await StartHostAsync(target.ConnectionString, redis, b => b.Services.AddSingleton<IJobScheduler>(jobs), cts.Token);
        await worker.WaitHealthyAsync(cts.Token);

        var tenant = simulator.CreateTenant().Otherwise(SimulatedExperiment.Respond);
        var experimentId = await SimulatedExperiment.CreateAsync(sourceHost.Services,
            SimulatedExperiment.Draft(simulator, tenant, Cases), cts.Token);
        var iterations = sourceHost.Services.GetRequiredService<IterationService>();
        var started = await iterations.StartAsync(await TestActors.OwnerOnAsync(sourceHost.Services, ResourceKinds.Experiment, experimentId, cts.Token),
            experimentId, cts.Token);
        var finished = await IterationAssertions.WaitUntilFinishedAsync(iterations, started.IterationId!.Value, cts.Token);
        Assert.Equal(IterationStatus.Completed, finished.Status);
        var v2 = await sourceHost.Services.GetRequiredService<ApiStore>().CreateVersionAsync(await TestActors.OwnerOnAsync(sourceHost.Services, ResourceKinds.Experiment, experimentId, cts.Token), experimentId, 1, "Answer in one line: {{ question }}",
            null, "Shorter.", cts.Token);
        await AddReviewedSuggestionAsync(source, finished.Id, v2!.Id, cts.Token);

        var bundles = sourceHost.Services.GetRequiredService<BundleService>();
        using var first = new MemoryStream();
        Assert.True(await bundles.ExportAsync(experimentId, first, cts.Token));
        first.Position = 0;
        var targetProjectId = await targetHost.Services.GetRequiredService<ExperimentService>().DefaultProjectIdAsync(cts.Token);
        // A bundle is imported into a project of the target, not as a project: making that project the source's twin (name,
        // description, creation time) keeps the comparison of the whole re-exported bundle meaningful.
        await using (var sourceConnection = await source.DataSource.OpenConnectionAsync(cts.Token))
        await using (var targetConnection = await target.DataSource.OpenConnectionAsync(cts.Token))
        {
            var project = await sourceConnection.QuerySingleAsync<(string Name, string Description, DateTime CreatedAt)>(
                "SELECT p.name, p.description, p.created_at FROM projects p JOIN experiments e ON e.project_id = p.id WHERE e.id = @experimentId",
                new { experimentId });
            await targetConnection.ExecuteAsync("UPDATE projects SET name = @Name, description = @Description, created_at = @CreatedAt WHERE id = @targetProjectId",
                new { project.Name, project.Description, project.CreatedAt, targetProjectId });
        }

        // Credentials never travel: the target project has its own twin of each (same name and endpoint, its own key), which the
        // import is told to use.
        var credentials = new Dictionary<Guid, Guid>();
        await using (var sourceConnection = await source.DataSource.OpenConnectionAsync(cts.Token))
        await using (var targetConnection = await target.DataSource.OpenConnectionAsync(cts.Token))
        {
            foreach (var (id, json) in await sourceConnection.QueryAsync<(Guid, string)>("""
                SELECT id, row_to_json(c)::text FROM provider_credentials c
                WHERE id IN (SELECT credential_id FROM model_configs WHERE experiment_id = @experimentId
                             UNION SELECT credential_id FROM judge_configs WHERE experiment_id = @experimentId)
                """, new { experimentId }))
            {
                credentials[id] = Guid.CreateVersion7();
                await targetConnection.ExecuteAsync("""
                    INSERT INTO provider_credentials
                    SELECT * FROM json_populate_record(null::provider_credentials,
                                                       (@json::jsonb || jsonb_build_object('id', @twin, 'project_id', @targetProjectId))::json)
                    """, new { json, twin = credentials[id], targetProjectId });
            }
        }

        var imported = await targetHost.Services.GetRequiredService<BundleService>().ImportAsync(await TestActors.OwnerAsync(targetHost.Services, cts.Token),
            targetProjectId, first, credentials, cts.Token);
        using var second = new MemoryStream();
        Assert.True(await targetHost.Services.GetRequiredService<BundleService>().ExportAsync(imported.ExperimentId, second, cts.Token));

        first.Position = 0;
        second.Position = 0;
        var before = await BundleService.CanonicalContentAsync(first, cts.Token);
        // Recorded calls come back as history under the import's own keys (import:<experiment>:<original key>).
        var after = System.Text.RegularExpressions.Regex.Replace(await BundleService.CanonicalContentAsync(second, cts.Token), "import:#[0-9]+:", "");
        output.WriteLine(string.Join(", ", imported.Rows.Select(r => $"{r.Key} {r.Value}")));
        Assert.Equal(before, after);
        Assert.NotEqual(experimentId, imported.ExperimentId);
        Assert.Equal((Cases, Cases, 2 * Cases, 1, 1, 2), (imported.Rows["outputs"], imported.Rows["judgments"], imported.Rows["llm_calls"],
            imported.Rows["suggestions"], imported.Rows["reviews"], imported.Rows["prompt_versions"]));
        first.Position = 0;
        using (var zip = new ZipArchive(first, ZipArchiveMode.Read, leaveOpen: true))
        {
            using var reader = new StreamReader(zip.GetEntry("report.html")!.Open());
            var report = await reader.ReadToEndAsync(cts.Token);
            Assert.Contains("<svg", report, StringComparison.Ordinal);
            Assert.Contains("Answer in one line", report, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", report, StringComparison.Ordinal);
        }

        // The imported experiment reads the same through the API's store and the iteration page's service.
        var sourceStore = sourceHost.Services.GetRequiredService<ApiStore>();
        var targetStore = targetHost.Services.GetRequiredService<ApiStore>();
        Assert.Equal((await sourceStore.ListVersionsAsync(experimentId, cts.Token)).Select(v => (v.Version, v.Template, v.Changelog)),
            (await targetStore.ListVersionsAsync(imported.ExperimentId, cts.Token)).Select(v => (v.Version, v.Template, v.Changelog)));
        var targetIterations = targetHost.Services.GetRequiredService<IterationService>();
        var importedIteration = (await targetStore.ListIterationsAsync(imported.ExperimentId, cts.Token)).Single();
        var importedView = await targetIterations.GetAsync(importedIteration.Id, cts.Token);
        Assert.Equal((finished.Status, finished.MeanScore, finished.OutputsDone, finished.JudgmentsDone, finished.CostUsd),
            (importedView!.Status, importedView.MeanScore, importedView.OutputsDone, importedView.JudgmentsDone, importedView.CostUsd));
        Assert.Equal((await iterations.GetResultsAsync(finished.Id, cts.Token)).Count,
            (await targetIterations.GetResultsAsync(importedIteration.Id, cts.Token)).Count);

        var next = await targetIterations.StartAsync(await TestActors.OwnerOnAsync(targetHost.Services, ResourceKinds.Experiment, imported.ExperimentId, cts.Token), imported.ExperimentId, cts.Token);
        Assert.Null(next.Error);
        Assert.Contains(jobs.Requests, r => r.Data.Values.Contains(next.IterationId!.Value.ToString()));
    }

    private static async Task<IHost> StartHostAsync(string database, string redis, Action<IHostApplicationBuilder> configure,
        CancellationToken cancellationToken)
    {
        var builder = EdisonTestHost.CreateBuilder(database, redis);
        configure(builder);
        builder.AddEdisonApiCore();
        builder.AddEdisonBundles();
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return host;
    }

    private static async Task AddReviewedSuggestionAsync(TestDatabase database, Guid iterationId, Guid proposedVersionId,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            WITH s AS (
                INSERT INTO suggestions (id, iteration_id, source_version_id, proposed_version_id, proposed_template, unified_diff, note, status)
                SELECT gen_random_uuid(), @iterationId, i.prompt_version_id, @proposedVersionId, 'Answer in one line: {{ question }}',
                       '-Answer briefly\n+Answer in one line', 'Be shorter.', 'approved'
                FROM iterations i WHERE i.id = @iterationId RETURNING id),
            r AS (INSERT INTO reviews (id, suggestion_id, decision, note) SELECT gen_random_uuid(), id, 'approve', 'Looks right.' FROM s)
            UPDATE prompt_versions SET suggestion_id = (SELECT id FROM s) WHERE id = @proposedVersionId;
            UPDATE experiments SET recommended_version_id = @proposedVersionId
            WHERE id = (SELECT experiment_id FROM iterations WHERE id = @iterationId);
            """, new { iterationId, proposedVersionId }, cancellationToken: cancellationToken));
    }
}

using System.Diagnostics;
using System.Globalization;
using Dapper;
using Edison.Core.Experiments;
using Edison.Core.Runs;
using Edison.Testing.Simulator;
using Edison.Testing.TestData;
using Npgsql;

namespace Edison.Benchmarks;

/// <summary>
/// Orchestration overhead and throughput of one iteration of N cases × 2 models + 2 pointwise judges (6 calls per case)
/// through a real worker with 32 calls in flight: "ratio to latency bound" at 200 ms per call, "calls per second" at 0 ms,
/// "cached re-run ratio" for the same iteration again (every call a cache hit), and the worker's peak RSS.
/// </summary>
internal static class ThroughputBenchmark
{
    private const int Concurrency = 32;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(200);

    public static async Task<int> RunAsync(BenchmarkSettings settings, int cases, CancellationToken cancellationToken)
    {
        await using var stack = await BenchmarkStack.CreateAsync(settings, cancellationToken);
        Console.WriteLine($"Database {stack.Database.Name}; {cases} cases × 2 models + 2 judges; concurrency {Concurrency}; logs in {stack.LogDirectory}");
        await using var simulator = await ProviderSimulator.StartAsync(cancellationToken);
        await using var worker = await stack.StartWorkerAsync(new Dictionary<string, string>
        {
            ["Edison__Scheduler__IdleWaitTime"] = IdleWait(),
            // Each chunk may use every slot; the per-credential cap keeps 32 calls in flight across the 8 bulk threads, and keeps them
            // in flight while only the last chunk or two are left.
            ["Edison__Scheduler__MaxConcurrency"] = "10",
            ["Edison__Llm__ChunkConcurrency"] = "32",
            ["Edison__Llm__MaxConcurrentCallsPerCredential"] = Concurrency.ToString(CultureInfo.InvariantCulture),
            ["Logging__LogLevel__Default"] = "Warning",
        }, cancellationToken);
        await using var web = await stack.StartWebSideAsync(cancellationToken);
        await using var dataSource = stack.CreateDataSource();

        var slow = simulator.CreateTenant().Otherwise(r => SimStep.Delay(Latency, SimulatedModels.Answer(r)));
        var slowRun = await RunIterationAsync(web, dataSource, simulator, slow, cases, "latency", cancellationToken);
        // Only provider calls take the latency; a cache hit (none is expected: every run's prompts are its own) would not.
        var bound = (slowRun.Calls - slowRun.CacheHits) * Latency.TotalSeconds / Concurrency;
        var fast = simulator.CreateTenant().Otherwise(SimulatedModels.Answer);
        var fastRun = await RunIterationAsync(web, dataSource, simulator, fast, cases, "throughput", cancellationToken);
        // "The same iteration again": the first (200 ms) run's experiment once more, every call now answered from the cache.
        var cachedRun = await RerunAsync(web, dataSource, slowRun.ExperimentId, cancellationToken);
        var peakRss = PeakRssMegabytes(worker.ProcessId);

        Console.WriteLine();
        Console.WriteLine("| figure | value | target |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine(Invariant($"| ratio to latency bound | {slowRun.Seconds / bound:0.00} ({slowRun.Seconds:0.0} s for {slowRun.Calls} calls, {slowRun.CacheHits} cache hits; bound {bound:0.0} s) | ≤ 1.10 |"));
        Console.WriteLine(Invariant($"| calls per second | {(fastRun.Calls - fastRun.CacheHits) / fastRun.Seconds:0} ({fastRun.Calls - fastRun.CacheHits} provider calls in {fastRun.Seconds:0.0} s; {fastRun.CacheHits} cache hits) | ≥ 500 |"));
        Console.WriteLine(Invariant($"| cached re-run ratio | {cachedRun.Seconds / slowRun.Seconds:0.00} against the first (200 ms) run; {cachedRun.Seconds / fastRun.Seconds:0.00} against the 0 ms run ({cachedRun.Seconds:0.0} s, {cachedRun.CacheHits} of {cachedRun.Calls} calls cache hits) | ≤ 0.10 |"));
        Console.WriteLine(Invariant($"| worker peak RSS | {peakRss:0} MB (after the three {cases}-case iterations) | ≤ 400 MB |"));
        return 0;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    // The worker's default unless EDISON_BENCH_IDLE_WAIT (a TimeSpan) says otherwise, to compare polling intervals.
    private static string IdleWait() => Environment.GetEnvironmentVariable("EDISON_BENCH_IDLE_WAIT") is { Length: > 0 } value
        ? value
        : new Edison.Worker.Scheduling.SchedulerOptions().IdleWaitTime.ToString("c", CultureInfo.InvariantCulture);

    private static async Task<RunFigures> RunIterationAsync(WebSide web, NpgsqlDataSource dataSource, ProviderSimulator simulator, SimTenant tenant,
        int cases, string name, CancellationToken cancellationToken)
    {
        // The form takes at most 1,000 pasted cases; a larger set is the first 1,000 plus an import of the rest, as a person would.
        var lines = SupportCaseFaker.JsonLines(cases).Split('\n');
        var pasted = Math.Min(cases, PastedCases);
        var (experimentId, errors) = await web.Experiments.CreateAsync(await web.OwnerAsync(cancellationToken), new ExperimentDraft
        {
            Name = $"bench {name}",
            Goal = "Answer the question briefly.",
            CriterionName = SimulatedModels.Criterion,
            CriterionDescription = "The answer addresses the question.",
            // The run's name in the prompt: no run answers another's calls from the cache.
            PromptTemplate = "Answer {{ customer }} ({{ plan }} plan) briefly, " + name + ": {{ question }}",
            CasesJsonl = string.Join('\n', lines[..pasted]),
            BaseUrl = simulator.OpenAIBaseUrl.ToString(),
            ApiKey = tenant.ApiKey,
            Model = "sim-model",
            JudgeModel = "sim-judge",
        }, cancellationToken);
        var id = experimentId ?? throw new InvalidOperationException(string.Join("; ", errors.SelectMany(e => e.Value)));
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            // A second model and a second pointwise judge, copied from the first with another model name.
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO model_configs
                SELECT (jsonb_populate_record(null::model_configs, to_jsonb(m) || jsonb_build_object('id', gen_random_uuid(), 'model', 'sim-model-2'))).*
                FROM model_configs m WHERE experiment_id = @id;
                INSERT INTO judge_configs
                SELECT (jsonb_populate_record(null::judge_configs, to_jsonb(j) || jsonb_build_object('id', gen_random_uuid(), 'model', 'sim-judge-2'))).*
                FROM judge_configs j WHERE experiment_id = @id;
                """, new { id }, cancellationToken: cancellationToken));
        }

        if (cases > pasted)
        {
            await ImportRestAsync(web, dataSource, id, lines[pasted..], cancellationToken);
        }

        return await RerunAsync(web, dataSource, id, cancellationToken);
    }

    private const int PastedCases = 1000;

    private static async Task ImportRestAsync(WebSide web, NpgsqlDataSource dataSource, Guid experimentId, string[] rest,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (datasetId, projectId, name) = await connection.QuerySingleAsync<(Guid, Guid, string)>(new CommandDefinition(
            "SELECT d.id, d.project_id, d.name FROM datasets d WHERE d.experiment_id = @experimentId LIMIT 1", new { experimentId },
            cancellationToken: cancellationToken));
        using var file = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', rest)));
        var result = await web.Services.GetRequiredService<Edison.Core.Datasets.Import.DatasetImporter>().CommitAsync(
            await web.OwnerAsync(cancellationToken), projectId, experimentId, datasetId, name, file,
            Edison.Core.Datasets.Import.ImportFormat.JsonLines, null, cancellationToken);
        if (result.DatasetId is null)
        {
            throw new InvalidOperationException($"The import of {rest.Length} cases was refused: {result}");
        }
    }

    private static async Task<RunFigures> RerunAsync(WebSide web, NpgsqlDataSource dataSource, Guid experimentId, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var started = await web.Iterations.StartAsync(await web.OwnerAsync(cancellationToken), experimentId, cancellationToken);
        var iterationId = started.IterationId ?? throw new InvalidOperationException(started.Error);
        // The benchmark watches the status column only: IterationService.GetAsync counts every output and judgment (what a
        // status page shows), and polling that every 100 ms cost PostgreSQL about as much as the work being measured.
        while (true)
        {
            await using (var watch = await dataSource.OpenConnectionAsync(cancellationToken))
            {
                var (status, error) = await watch.QuerySingleAsync<(string Status, string? Error)>(new CommandDefinition(
                    "SELECT status, error FROM iterations WHERE id = @iterationId", new { iterationId }, cancellationToken: cancellationToken));
                if (IterationStatus.IsTerminal(status))
                {
                    if (status != IterationStatus.Completed)
                    {
                        throw new InvalidOperationException($"The iteration ended {status}: {error}");
                    }

                    break;
                }
            }

            await Task.Delay(100, cancellationToken);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (calls, hits) = await connection.QuerySingleAsync<(int, int)>(new CommandDefinition(
            "SELECT count(*)::int, count(*) FILTER (WHERE cache_hit)::int FROM llm_calls WHERE iteration_id = @iterationId",
            new { iterationId }, cancellationToken: cancellationToken));
        Console.WriteLine(Invariant($"iteration {iterationId}: {calls} calls ({hits} cache hits) in {seconds:0.0} s"));
        // Where the wall time went: from the start to the worker's pickup, the execute phase, the hand-over to judging,
        // the judge phase and the tail to the terminal state, from the rows' own timestamps.
        var t = await connection.QuerySingleAsync<Timeline>(new CommandDefinition("""
            SELECT extract(epoch FROM i.started_at - i.created_at)::float8 AS pickup,
                   extract(epoch FROM (SELECT max(o.created_at) FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id WHERE mr.iteration_id = i.id)
                                      - i.started_at)::float8 AS execute,
                   extract(epoch FROM (SELECT min(created_at) FROM judgments WHERE iteration_id = i.id)
                                      - (SELECT max(o.created_at) FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id WHERE mr.iteration_id = i.id))::float8 AS handover,
                   extract(epoch FROM (SELECT max(created_at) - min(created_at) FROM judgments WHERE iteration_id = i.id))::float8 AS judge,
                   extract(epoch FROM i.finished_at - (SELECT max(created_at) FROM judgments WHERE iteration_id = i.id))::float8 AS tail
            FROM iterations i WHERE i.id = @iterationId
            """, new { iterationId }, cancellationToken: cancellationToken));
        Console.WriteLine(Invariant(
            $"  pickup {t.Pickup:0.00} s, execute {t.Execute:0.00} s, hand-over {t.Handover:0.00} s, judge {t.Judge:0.00} s, tail {t.Tail:0.00} s"));
        return new RunFigures(experimentId, calls, hits, seconds);
    }

    // VmHWM: the resident set's high-water mark over the process's life.
    private static double PeakRssMegabytes(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    private sealed record Timeline(double Pickup, double Execute, double Handover, double Judge, double Tail);

    private sealed record RunFigures(Guid ExperimentId, int Calls, int CacheHits, double Seconds);
}

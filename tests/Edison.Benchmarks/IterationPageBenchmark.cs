using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.Events;
using Edison.Core.Experiments;
using Edison.Core.Runs;
using Edison.Testing;
using Edison.Testing.Simulator;
using Edison.Testing.TestData;
using Npgsql;

namespace Edison.Benchmarks;

/// <summary>
/// The reading side at the size, against the real web app (Kestrel on a loopback port, signed in as the owner):
/// an iteration of 1,000 cases × 2 models = 2,000 outputs (2% failed), each succeeded one judged by 3 pointwise judges, seeded
/// straight into the database. Prints "p95 iteration page" (20 concurrent readers), the render time of the page and of
/// each results-grid filter for one reader, and the live-update path (an event published on the bus → the SSE event in a
/// signed-in client).
/// </summary>
internal static partial class IterationPageBenchmark
{
    private const int Cases = 1000;
    private const int Readers = 20;
    private const int RequestsPerReader = 15;
    private const int RenderSamples = 20;
    private const int SseSamples = 50;

    public static async Task<int> RunAsync(BenchmarkSettings settings, CancellationToken cancellationToken)
    {
        await using var stack = await BenchmarkStack.CreateAsync(settings, cancellationToken);
        Console.WriteLine($"Database {stack.Database.Name}; {Cases} cases × 2 models × 3 judges; logs in {stack.LogDirectory}");
        await using var simulator = await ProviderSimulator.StartAsync(cancellationToken);
        await using var webApp = await stack.StartWebAppAsync(cancellationToken);
        await using var web = await stack.StartWebSideAsync(cancellationToken);
        await using var dataSource = stack.CreateDataSource();

        using var handler = new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, MaxConnectionsPerServer = 64 };
        using var client = new HttpClient(handler) { BaseAddress = webApp.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await SetUpOwnerAsync(client, cancellationToken);
        var (experimentId, iterationId) = await SeedAsync(web, dataSource, simulator, cancellationToken);

        var page = $"Iterations/Details/{iterationId}";
        var grid = $"Iterations/Details/{iterationId}?handler=Results";
        var variants = new (string Name, string Path)[]
        {
            ("iteration page (full)", page),
            ("live region (SSE refresh)", $"Iterations/Details/{iterationId}?handler=Live"),
            ("grid: no filter", grid),
            ("grid: failures", $"{grid}&failures=true"),
            ("grid: criterion below 3", $"{grid}&criterion={SimulatedModels.Criterion}&below=3"),
            ("grid: tag", $"{grid}&tag=billing"),
            ("grid: split", $"{grid}&split=test"),
            ("grid: disagreement", $"{grid}&disagreement=true"),
            ("grid: flagged", $"{grid}&flagged=true"),
            ("grid: cut off", $"{grid}&cutOff=true"),
            ("grid: page 20", $"{grid}&p=20"),
        };

        // Warm-up: JIT, Razor, connection pools, PostgreSQL's caches.
        foreach (var (_, path) in variants)
        {
            for (var i = 0; i < 3; i++)
            {
                await TimedGetAsync(client, path, cancellationToken);
            }
        }

        // A completed iteration's O(iteration) figures and grid pages are kept under its change stamp: each variant is timed as
        // it is read again (kept) and right after a write to the iteration (recomputed, as for a running iteration).
        var renders = new List<(string Name, LatencySummary Summary)>();
        foreach (var afterWrite in new[] { false, true })
        {
            foreach (var (name, path) in variants)
            {
                var samples = new List<double>();
                for (var i = 0; i < RenderSamples; i++)
                {
                    if (afterWrite)
                    {
                        await BumpAsync(dataSource, iterationId, cancellationToken);
                    }

                    samples.Add(await TimedGetAsync(client, path, cancellationToken));
                }

                var label = afterWrite ? $"{name}, after a write" : name;
                renders.Add((label, new LatencySummary(label, samples, "")));
            }
        }

        var concurrentClock = Stopwatch.StartNew();
        var concurrent = (await Task.WhenAll(Enumerable.Range(0, Readers).Select(async _ =>
        {
            var samples = new List<double>();
            for (var i = 0; i < RequestsPerReader; i++)
            {
                samples.Add(await TimedGetAsync(client, page, cancellationToken));
            }

            return samples;
        }))).SelectMany(s => s).ToList();
        var concurrentSeconds = concurrentClock.Elapsed.TotalSeconds;
        var underLoad = new LatencySummary("readers", concurrent, "");

        var sse = await MeasureSseAsync(client, web.Services.GetRequiredService<IEventBus>(), experimentId, iterationId, cancellationToken);

        Console.WriteLine();
        Console.WriteLine("| figure | n | p50 ms | p95 ms | max ms |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine(Row($"p95 iteration page ({Readers} concurrent readers, {concurrent.Count / concurrentSeconds:0} pages/s)", underLoad));
        foreach (var (name, summary) in renders)
        {
            Console.WriteLine(Row($"{name}, 1 reader", summary));
        }

        Console.WriteLine(Row("SSE update: publish → event at a signed-in client", sse));
        Console.WriteLine();
        Console.WriteLine(Invariant($"Target: p95 iteration page ≤ 150 ms. The web log is {webApp.LogPath}."));
        return 0;
    }

    /// What every write to a settled iteration's rows does (migration 0016's triggers): the next read recomputes.
    private static async Task BumpAsync(NpgsqlDataSource dataSource, Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE iterations SET change_stamp = change_stamp + 1 WHERE id = @iterationId",
            new { iterationId }, cancellationToken: cancellationToken));
    }

    private static string Row(string name, LatencySummary s) =>
        Invariant($"| {name} | {s.Milliseconds.Count} | {s.P50:0.0} | {s.P95:0.0} | {s.Max:0.0} |");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static async Task<double> TimedGetAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseContentRead, cancellationToken);
        var elapsed = clock.Elapsed.TotalMilliseconds;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}.");
        }

        return elapsed;
    }

    /// The first-run setup page makes the owner, who is signed in by it and owns the default project.
    internal static async Task SetUpOwnerAsync(HttpClient client, CancellationToken cancellationToken)
    {
        var html = await client.GetStringAsync(new Uri("Setup", UriKind.Relative), cancellationToken);
        var token = TokenPattern().Match(html) is { Success: true } match ? match.Groups[1].Value
            : throw new InvalidOperationException("No antiforgery token on /Setup.");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Token"] = TestSetup.Token, ["Email"] = "owner@bench.test", ["Password"] = "a long benchmark passphrase", ["__RequestVerificationToken"] = token,
        });
        using var response = await client.PostAsync(new Uri("Setup", UriKind.Relative), form, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Setup answered {(int)response.StatusCode}.");
        }
    }

    /// <summary>
    /// An experiment (default project) of <see cref="Cases"/> cases, 2 models and 3 pointwise judges; a started iteration whose
    /// outputs and judgments are then written directly (a few failures, cut-offs, flags and disagreements so every filter
    /// has rows), aggregated by the real aggregator and marked completed.
    /// </summary>
    private static async Task<(Guid ExperimentId, Guid IterationId)> SeedAsync(WebSide web, NpgsqlDataSource dataSource, ProviderSimulator simulator,
        CancellationToken cancellationToken)
    {
        var tenant = simulator.CreateTenant();
        var (created, errors) = await web.Experiments.CreateAsync(await web.OwnerAsync(cancellationToken), new ExperimentDraft
        {
            Name = "bench page",
            Goal = "Answer the question briefly.",
            CriterionName = SimulatedModels.Criterion,
            CriterionDescription = "The answer addresses the question.",
            PromptTemplate = "Answer {{ customer }} ({{ plan }} plan) briefly: {{ question }}",
            CasesJsonl = SupportCaseFaker.JsonLines(Cases),
            BaseUrl = simulator.OpenAIBaseUrl.ToString(),
            ApiKey = tenant.ApiKey,
            Model = "sim-model",
            JudgeModel = "sim-judge",
        }, cancellationToken);
        var experimentId = created ?? throw new InvalidOperationException(string.Join("; ", errors.SelectMany(e => e.Value)));
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO model_configs
                SELECT (jsonb_populate_record(null::model_configs, to_jsonb(m) || jsonb_build_object('id', gen_random_uuid(), 'model', 'sim-model-2',
                        'position', m.position + 1))).*
                FROM model_configs m WHERE experiment_id = @experimentId;
                INSERT INTO judge_configs
                SELECT (jsonb_populate_record(null::judge_configs, to_jsonb(j) || jsonb_build_object('id', gen_random_uuid(), 'model', n.model))).*
                FROM judge_configs j CROSS JOIN (VALUES ('sim-judge-2'), ('sim-judge-3')) AS n(model) WHERE experiment_id = @experimentId;
                """, new { experimentId }, cancellationToken: cancellationToken));
        }

        var started = await web.Iterations.StartAsync(await web.OwnerAsync(cancellationToken), experimentId, cancellationToken);
        var iterationId = started.IterationId ?? throw new InvalidOperationException(started.Error);
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            // No worker runs here: the iteration stays pending until the rows below are in place.
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE case_versions cv SET tags = CASE WHEN dvc.position % 4 = 0 THEN ARRAY['billing'] ELSE ARRAY['account'] END,
                       split = CASE WHEN dvc.position % 5 = 0 THEN 'test' ELSE 'train' END
                FROM iterations i JOIN dataset_version_cases dvc ON dvc.dataset_version_id = i.dataset_version_id
                WHERE i.id = @iterationId AND cv.case_id = dvc.case_id AND cv.version = dvc.case_version;

                INSERT INTO llm_calls (id, project_id, experiment_id, iteration_id, provider, model, purpose, call_key, status, input_tokens,
                                       output_tokens, cost_usd, latency_ms, response_text, started_at, finished_at)
                SELECT gen_random_uuid(), e.project_id, e.id, i.id, 'openai', mc.model, 'execute', 'exec:' || mr.id || ':' || dvc.case_id,
                       'succeeded', 120, 40, 0.0001, 300, 'answer ' || dvc.position, now(), now()
                FROM iterations i JOIN experiments e ON e.id = i.experiment_id JOIN model_runs mr ON mr.iteration_id = i.id
                JOIN model_configs mc ON mc.id = mr.model_config_id
                JOIN dataset_version_cases dvc ON dvc.dataset_version_id = i.dataset_version_id
                WHERE i.id = @iterationId;

                INSERT INTO outputs (id, model_run_id, case_id, case_version, sample, status, text, error, finish_reason, input_tokens, output_tokens,
                                     latency_ms, cost_usd, llm_call_id, truncated, pii_flags)
                SELECT gen_random_uuid(), mr.id, dvc.case_id, dvc.case_version, 0,
                       CASE WHEN dvc.position % 50 = 7 THEN 'failed' ELSE 'succeeded' END,
                       CASE WHEN dvc.position % 50 = 7 THEN '' ELSE repeat('A helpful, short answer about the plan. ', 6) || dvc.position END,
                       CASE WHEN dvc.position % 50 = 7 THEN 'The provider kept answering with a server error (5xx) after every retry.' END,
                       CASE WHEN dvc.position % 40 = 3 THEN 'length' ELSE 'stop' END, 120, 40, 300, 0.0001, c.id,
                       dvc.position % 40 = 3, CASE WHEN dvc.position % 60 = 11 THEN ARRAY['email'] ELSE '{}' END
                FROM iterations i JOIN model_runs mr ON mr.iteration_id = i.id
                JOIN dataset_version_cases dvc ON dvc.dataset_version_id = i.dataset_version_id
                JOIN llm_calls c ON c.call_key = 'exec:' || mr.id || ':' || dvc.case_id
                WHERE i.id = @iterationId;

                INSERT INTO judgments (id, iteration_id, output_id, judge_config_id, mode, pair_key, status, scores, composite, reasoning,
                                       rationales, safety_flags, suggestions, error)
                SELECT gen_random_uuid(), @iterationId, o.id, jc.id, 'pointwise', '',
                       CASE WHEN s.n % 97 = 5 THEN 'failed' ELSE 'succeeded' END,
                       jsonb_build_object(@criterion::text, s.score), s.score, 'Short and on topic.',
                       jsonb_build_object(@criterion::text, 'Answers the question.'),
                       CASE WHEN s.n % 83 = 9 THEN ARRAY['unsafe-advice'] ELSE '{}' END,
                       '["Mention the plan by name."]', CASE WHEN s.n % 97 = 5 THEN 'The judge''s answer was not valid JSON.' END
                FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id
                JOIN judge_configs jc ON jc.experiment_id = (SELECT experiment_id FROM iterations WHERE id = @iterationId) AND jc.kind = 'pointwise'
                CROSS JOIN LATERAL (SELECT abs(hashtext(o.id::text || jc.id::text)) AS n,
                                           1 + abs(hashtext(jc.id::text || o.id::text)) % 5 AS score) s
                WHERE mr.iteration_id = @iterationId AND o.status = 'succeeded';

                UPDATE iterations SET status = 'aggregating', started_at = now() WHERE id = @iterationId;
                """, new { iterationId, criterion = SimulatedModels.Criterion }, cancellationToken: cancellationToken, commandTimeout: 300));
        }

        await web.Services.GetRequiredService<IterationAggregator>().AggregateAsync(iterationId, cancellationToken);
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE iterations SET status = 'completed', finished_at = now() WHERE id = @iterationId; ANALYZE;",
                new { iterationId }, cancellationToken: cancellationToken));
            var (outputs, judgments) = await connection.QuerySingleAsync<(int, int)>(new CommandDefinition("""
                SELECT (SELECT count(*)::int FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id WHERE mr.iteration_id = @iterationId),
                       (SELECT count(*)::int FROM judgments WHERE iteration_id = @iterationId)
                """, new { iterationId }, cancellationToken: cancellationToken));
            Console.WriteLine($"Seeded iteration {iterationId}: {outputs} outputs, {judgments} judgments.");
        }

        return (experimentId, iterationId);
    }

    /// <summary>
    /// One SSE client on the experiment's stream (the endpoint the page listens to); each sample publishes one event on the
    /// bus, as a worker does, and times until the client has read it.
    /// </summary>
    private static async Task<LatencySummary> MeasureSseAsync(HttpClient client, IEventBus events, Guid experimentId, Guid iterationId,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"events/experiments/{experimentId}", UriKind.Relative));
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream);
        await ReadEventAsync(reader, "ready", cancellationToken);
        // The endpoint subscribes after sending "ready"; give the subscription a moment before the first timed event.
        await Task.Delay(500, cancellationToken);

        var samples = new List<double>();
        for (var i = 0; i < SseSamples; i++)
        {
            var clock = Stopwatch.StartNew();
            await events.PublishAsync(new ExperimentEvent(experimentId, iterationId, ExperimentEvent.Progress, IterationStatus.Judging, i, SseSamples),
                cancellationToken);
            await ReadEventAsync(reader, ExperimentEvent.Progress, cancellationToken);
            samples.Add(clock.Elapsed.TotalMilliseconds);
            await Task.Delay(Random.Shared.Next(20, 60), cancellationToken);
        }

        return new LatencySummary("sse", samples, "");
    }

    private static async Task ReadEventAsync(StreamReader reader, string eventName, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line == $"event: {eventName}")
            {
                return;
            }
        }

        throw new InvalidOperationException($"The event stream ended before a '{eventName}' event.");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}

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
/// "A job scheduled by the web app starts in a worker within 1 s (p95 over 20), also while chunk jobs are queued."
/// Pickup latency = the iteration's started_at (set by the worker's AdvanceIteration job, pending → executing)
/// minus the moment <see cref="IterationService.StartAsync"/> returned in the web-side process.
/// </summary>
internal static class PickupLatencyBenchmark
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan PickupTimeout = TimeSpan.FromSeconds(60);

    // Enough waiting chunk jobs to keep every worker thread busy for the next several seconds.
    private const int QueueFloor = 16;

    public static async Task<int> RunAsync(BenchmarkSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            await using var stack = await BenchmarkStack.CreateAsync(settings, cancellationToken);
            Console.WriteLine($"Database {stack.Database.Name}; worker {WorkerProcess.DllPath}; logs in {stack.LogDirectory}");
            await using var simulator = await ProviderSimulator.StartAsync(cancellationToken);
            await using var worker = await stack.StartWorkerAsync(new Dictionary<string, string>
            {
                ["Edison__Scheduler__IdleWaitTime"] = "00:00:01",
            }, cancellationToken);
            await using var web = await stack.StartWebSideAsync(cancellationToken);
            await using var dataSource = stack.CreateDataSource();
            var run = new Run(web, dataSource, simulator);

            Console.WriteLine($"Worker pid {worker.ProcessId} is up. Scenario A: {settings.Samples} starts on an idle worker…");
            var idle = await run.IdleAsync(settings.Samples, cancellationToken);
            // Printed now, so scenario A's figures survive a scenario B that cannot build its queue.
            LatencySummary.PrintTable([idle]);
            Console.WriteLine($"Scenario B: {settings.Samples} starts while {settings.BigCases}-case iterations keep chunk jobs queued…");
            var busy = await run.BusyAsync(settings.Samples, settings.BigCases, cancellationToken);
            LatencySummary.PrintTable([idle, busy]);
            return 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FileNotFoundException or NpgsqlException or TimeoutException
                                       or OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"Setup failed: {ex.Message}");
            return 1;
        }
    }

    private sealed class Run(WebSide web, NpgsqlDataSource dataSource, ProviderSimulator simulator)
    {
        private readonly SimTenant _fast = simulator.CreateTenant().Otherwise(SimulatedModels.Answer);
        private readonly SimTenant _slow = simulator.CreateTenant().Otherwise(SimulatedModels.SlowAnswer);
        private readonly Random _pause = new(42);

        public async Task<LatencySummary> IdleAsync(int samples, CancellationToken cancellationToken)
        {
            var latencies = new List<double>();
            for (var i = 0; i < samples; i++)
            {
                var (iterationId, latency) = await MeasureOneStartAsync(i, cancellationToken);
                latencies.Add(latency);
                await WaitUntilFinishedAsync(iterationId, cancellationToken);
                // A random phase relative to the worker's poll cycle, so samples do not all land just after a poll.
                await Task.Delay(_pause.Next(0, 1000), cancellationToken);
            }

            return new LatencySummary("A idle", latencies, "");
        }

        public async Task<LatencySummary> BusyAsync(int samples, int bigCases, CancellationToken cancellationToken)
        {
            var big = await CreateExperimentAsync("big", bigCases, _slow, cancellationToken);
            var bigStarts = 0;
            var queueDepths = new List<int>();
            var latencies = new List<double>();
            for (var i = 0; i < samples; i++)
            {
                if (await QueuedChunkJobsAsync(cancellationToken) < QueueFloor)
                {
                    await StartBigAsync(big, cancellationToken);
                    bigStarts++;
                    await WaitForQueuedChunksAsync(QueueFloor, cancellationToken);
                }

                queueDepths.Add(await QueuedChunkJobsAsync(cancellationToken));
                var (_, latency) = await MeasureOneStartAsync(1000 + i, cancellationToken);
                latencies.Add(latency);
                await Task.Delay(_pause.Next(0, 500), cancellationToken);
            }

            var running = await RunningJobsAsync(cancellationToken);
            return new LatencySummary("B busy", latencies, string.Create(CultureInfo.InvariantCulture,
                $"chunk jobs waiting at each start: min {queueDepths.Min()}, median {queueDepths.Order().ElementAt(queueDepths.Count / 2)}; "
                + $"{bigStarts} big iteration(s) started; jobs executing at the end: {running}"));
        }

        private async Task<(Guid IterationId, double Milliseconds)> MeasureOneStartAsync(int sample, CancellationToken cancellationToken)
        {
            var experimentId = await CreateExperimentAsync($"tiny-{sample}", 1, _fast, cancellationToken);
            var result = await web.Iterations.StartAsync(await web.OwnerAsync(cancellationToken), experimentId, cancellationToken);
            var returnedAt = DateTime.UtcNow;
            var iterationId = result.IterationId ?? throw new InvalidOperationException($"The run did not start: {result.Error}");
            var startedAt = await WaitForStartedAsync(iterationId, cancellationToken);
            return (iterationId, (startedAt - returnedAt).TotalMilliseconds);
        }

        private async Task StartBigAsync(Guid experimentId, CancellationToken cancellationToken)
        {
            var result = await web.Iterations.StartAsync(await web.OwnerAsync(cancellationToken), experimentId, cancellationToken);
            _ = result.IterationId ?? throw new InvalidOperationException($"The big run did not start: {result.Error}");
        }

        private async Task<Guid> CreateExperimentAsync(string name, int cases, SimTenant tenant, CancellationToken cancellationToken)
        {
            var (id, errors) = await web.Experiments.CreateAsync(await web.OwnerAsync(cancellationToken), new ExperimentDraft
            {
                Name = $"bench {name}",
                Goal = "Answer the question briefly.",
                CriterionName = SimulatedModels.Criterion,
                CriterionDescription = "The answer addresses the question.",
                PromptTemplate = "Answer {{ customer }} ({{ plan }} plan) briefly: {{ question }}",
                CasesJsonl = SupportCaseFaker.JsonLines(cases),
                BaseUrl = simulator.OpenAIBaseUrl.ToString(),
                ApiKey = tenant.ApiKey,
                Model = "sim-model",
                JudgeModel = "sim-judge",
            }, cancellationToken);
            return id ?? throw new InvalidOperationException(
                $"The experiment was refused: {string.Join("; ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")))}");
        }

        private async Task<DateTime> WaitForStartedAsync(Guid iterationId, CancellationToken cancellationToken)
        {
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < PickupTimeout)
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                var startedAt = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
                    "SELECT started_at FROM iterations WHERE id = @iterationId", new { iterationId }, cancellationToken: cancellationToken));
                if (startedAt is { } value)
                {
                    return DateTime.SpecifyKind(value, DateTimeKind.Utc);
                }

                await Task.Delay(PollEvery, cancellationToken);
            }

            throw new TimeoutException($"Iteration {iterationId} was not picked up within {PickupTimeout.TotalSeconds:0} s.");
        }

        private async Task WaitUntilFinishedAsync(Guid iterationId, CancellationToken cancellationToken)
        {
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < PickupTimeout)
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                var status = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
                    "SELECT status FROM iterations WHERE id = @iterationId", new { iterationId }, cancellationToken: cancellationToken));
                if (status is not null && IterationStatus.IsTerminal(status))
                {
                    return;
                }

                await Task.Delay(PollEvery * 5, cancellationToken);
            }

            throw new TimeoutException($"Iteration {iterationId} did not finish within {PickupTimeout.TotalSeconds:0} s.");
        }

        private async Task WaitForQueuedChunksAsync(int atLeast, CancellationToken cancellationToken)
        {
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < PickupTimeout)
            {
                if (await QueuedChunkJobsAsync(cancellationToken) >= atLeast)
                {
                    return;
                }

                await Task.Delay(PollEvery, cancellationToken);
            }

            // A run's chunks are a twentieth of its cases (5 to 50): a small big run has too few to outnumber the worker's threads.
            throw new TimeoutException($"Fewer than {atLeast} chunk jobs were queued within {PickupTimeout.TotalSeconds:0} s; "
                + "give --big-cases 300 (a big run needs more chunk jobs than the worker has threads).");
        }

        // Chunk triggers not yet handed to a worker thread (Quartz state WAITING, chunk priority).
        private async Task<int> QueuedChunkJobsAsync(CancellationToken cancellationToken)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            return await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
                SELECT count(*)::int FROM qrtz_triggers
                WHERE trigger_state = 'WAITING' AND (trigger_name LIKE 'exec:%' OR trigger_name LIKE 'judge:%')
                """, cancellationToken: cancellationToken));
        }

        private async Task<int> RunningJobsAsync(CancellationToken cancellationToken)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT count(*)::int FROM qrtz_fired_triggers WHERE state = 'EXECUTING'", cancellationToken: cancellationToken));
        }
    }
}

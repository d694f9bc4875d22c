using System.Diagnostics;
using System.Globalization;
using Dapper;
using Edison.Core.Experiments;
using Edison.Core.Llm;
using Edison.Core.Statistics;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.AI;
using Npgsql;

namespace Edison.Benchmarks;

/// <summary>
/// What the gateway costs on top of a provider: per-call overhead of the full pipeline (credential, cache, rate limit,
/// concurrency cap, retry loop, llm_calls row) against the bare provider client, calls per second through the full
/// pipeline with 16 callers, and cache-hit latency. The simulator answers at once, so every millisecond is Edison's.
/// </summary>
internal static class GatewayBenchmark
{
    private const string Model = "gpt-4o-mini";
    private const int Sequential = 500;
    private const int Warmup = 50;
    private const int ThroughputCalls = 2000;
    private const int Callers = 16;

    public static async Task<int> RunAsync(BenchmarkSettings settings, CancellationToken cancellationToken)
    {
        var logDirectory = Directory.CreateTempSubdirectory("edison-bench-").FullName;
        var prefix = $"b{Guid.NewGuid():N}:";
        await using var database = new BenchmarkDatabase(settings.PostgresConnectionString);
        Console.WriteLine($"Database {database.Name}; Redis prefix {prefix}");
        try
        {
            await WorkerProcess.MigrateAsync(database.ConnectionString, logDirectory, cancellationToken);
            await using var simulator = await ProviderSimulator.StartAsync(cancellationToken);
            using var host = EdisonTestHost.CreateBuilder(database.ConnectionString, $"{settings.RedisConnectionString},channelPrefix={prefix}",
                [new("Edison:Redis:KeyPrefix", prefix), new("Edison:Llm:MaxConcurrentCallsPerCredential", $"{Callers}")]).Build();
            await host.StartAsync(cancellationToken);
            var tenant = simulator.CreateTenant();
            var spec = await CreateSpecAsync(host.Services, simulator, tenant, database.ConnectionString, cancellationToken);
            var gateway = host.Services.GetRequiredService<LlmGateway>();
            var credential = await host.Services.GetRequiredService<CredentialStore>().GetAsync(spec.CredentialId, cancellationToken);
            var bare = host.Services.GetRequiredService<IChatClientFactory>().Create(credential, Model, ModelSettings.Default);

            async Task BareAsync(int i) => await bare.GetResponseAsync(Prompt($"bare {i}"), null, cancellationToken);
            async Task FullAsync(int i) => Check(await gateway.CompleteAsync(spec, Prompt($"full {i}"), null, cancellationToken));
            async Task HitAsync(int i) => Check(await gateway.CompleteAsync(spec, Prompt("cached"), null, cancellationToken), hit: true);

            await RepeatAsync(Warmup, BareAsync);
            await RepeatAsync(Warmup, i => FullAsync(-1 - i));
            Check(await gateway.CompleteAsync(spec, Prompt("cached"), null, cancellationToken));
            var bareMs = await RepeatAsync(Sequential, BareAsync);
            var fullMs = await RepeatAsync(Sequential, i => FullAsync(Sequential + i));
            var hitMs = await RepeatAsync(Sequential, HitAsync);

            var next = 0;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Callers).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) <= ThroughputCalls)
                {
                    await FullAsync(100_000 + i);
                }
            }));
            var perSecond = ThroughputCalls / clock.Elapsed.TotalSeconds;

            var culture = CultureInfo.InvariantCulture;
            Console.WriteLine();
            Console.WriteLine(string.Create(culture, $"{"sequential, zero latency",-34} {"n",5} {"p50 ms",8} {"p95 ms",8} {"mean ms",8}"));
            foreach (var (name, values) in new[] { ("bare provider client", bareMs), ("full gateway (cache miss)", fullMs), ("full gateway (cache hit)", hitMs) })
            {
                Console.WriteLine(string.Create(culture,
                    $"{name,-34} {values.Count,5} {Percentile(values, 0.5),8:0.00} {Percentile(values, 0.95),8:0.00} {values.Average(),8:0.00}"));
            }

            Console.WriteLine(string.Create(culture,
                $"gateway overhead per call: p50 {Percentile(fullMs, 0.5) - Percentile(bareMs, 0.5):0.00} ms, mean {fullMs.Average() - bareMs.Average():0.00} ms"));
            Console.WriteLine(string.Create(culture,
                $"throughput, full gateway, {Callers} callers, {ThroughputCalls} calls: {perSecond:0} calls/s"));
            Console.WriteLine($"provider requests seen by the simulator: {tenant.Requests.Count}");
            await host.StopAsync(cancellationToken);
            return 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FileNotFoundException or NpgsqlException or TimeoutException
                                       or OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"Setup failed: {ex.Message}");
            return 1;
        }
    }

    private static async Task<LlmCallSpec> CreateSpecAsync(IServiceProvider services, ProviderSimulator simulator, SimTenant tenant,
        string connectionString, CancellationToken cancellationToken)
    {
        var (experimentId, errors) = await services.GetRequiredService<ExperimentService>().CreateAsync(await TestActors.OwnerAsync(services, cancellationToken),
            new ExperimentDraft
        {
            Name = "Gateway benchmark",
            Goal = "Measure the gateway.",
            CriterionName = "Helpfulness",
            CriterionDescription = "Helps.",
            PromptTemplate = "Answer: {{ question }}",
            SystemText = "You are terse.",
            CasesJsonl = """{"question": "q"}""",
            BaseUrl = simulator.OpenAIBaseUrl.ToString(),
            ApiKey = tenant.ApiKey,
            Model = Model,
            JudgeModel = Model,
        }, cancellationToken);
        if (experimentId is null)
        {
            throw new InvalidOperationException("The benchmark experiment was refused: " + string.Join("; ", errors.Keys));
        }

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (projectId, credentialId) = await connection.QuerySingleAsync<(Guid, Guid)>(new CommandDefinition("""
            SELECT e.project_id, mc.credential_id FROM experiments e JOIN model_configs mc ON mc.experiment_id = e.id WHERE e.id = @experimentId
            """, new { experimentId }, cancellationToken: cancellationToken));
        // A limit far above what the benchmark reaches, so every call still runs the Lua script.
        await connection.ExecuteAsync(new CommandDefinition("UPDATE provider_credentials SET requests_per_minute = 100000000 WHERE id = @credentialId",
            new { credentialId }, cancellationToken: cancellationToken));
        return new LlmCallSpec(projectId, credentialId, Model, "benchmark") { ExperimentId = experimentId };
    }

    private static async Task<List<double>> RepeatAsync(int count, Func<int, Task> call)
    {
        var milliseconds = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await call(i);
            milliseconds.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return milliseconds;
    }

    private static void Check(LlmResult result, bool hit = false)
    {
        if (!result.Succeeded || result.CacheHit != hit)
        {
            throw new InvalidOperationException($"Unexpected result (cache hit {result.CacheHit}): {result.ErrorClass} {result.Error}");
        }
    }

    private static List<ChatMessage> Prompt(string text) => [new(ChatRole.System, "You are terse."), new(ChatRole.User, text)];

    private static double Percentile(List<double> values, double p) => Bootstrap.Percentile([.. values.Order()], p);
}

extern alias web;
using System.Net;
using System.Text.RegularExpressions;
using Edison.Core;
using Edison.Core.Runs;
using Edison.IntegrationTests.Security;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Edison.IntegrationTests.Observability;

/// <summary>
/// The web app (WebApplicationFactory) and a worker (WebApplicationFactory over the worker's own Program, so its Quartz
/// scheduler runs jobs in this process) on one database and Redis prefix, each with ServiceDefaults' telemetry as deployed
/// plus an in-memory span exporter, OTLP/HTTP pointed at an in-test receiver, and every log line collected.
/// </summary>
public sealed partial class TracedLoopFixture : IAsyncLifetime
{
    private TestDatabase? _database;
    private ProviderSimulator? _simulator;
    private OtlpReceiver? _otlp;

    public WebApplicationFactory<web::Program> Web { get; private set; } = null!;

    public WebApplicationFactory<Program> Worker { get; private set; } = null!;

    public TestDatabase Database => _database!;

    public ProviderSimulator Simulator => _simulator!;

    public OtlpReceiver Otlp => _otlp!;

    public LogCollector WebLogs { get; } = new();

    public LogCollector WorkerLogs { get; } = new();

    /// <summary>Spans the web host's tracer provider exported. In one process every provider sees every source, so
    /// the list holds the worker's spans too; <see cref="WorkerSpans"/> is the worker's own export.</summary>
    public ExportedSpanCollection WebSpans { get; } = new();

    public ExportedSpanCollection WorkerSpans { get; } = new();

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        _database = await TestDatabase.CreateAsync(cts.Token);
        _simulator = await ProviderSimulator.StartAsync(cts.Token);
        _otlp = OtlpReceiver.Start();
        var redisPrefix = TestEnvironment.NewRedisPrefix();
        var redis = TestEnvironment.RedisConnectionStringWithPrefix(redisPrefix);

        Web = new WebApplicationFactory<web::Program>().WithWebHostBuilder(b =>
        {
            Configure(b, redis, redisPrefix, WebLogs, WebSpans);
            b.UseSetting("Edison:SetupToken", TestSetup.Token);
            b.UseSetting("Edison:Security:AccountPermitLimit", "1000");
            b.UseSetting("Edison:Security:RateLimitsEnabled", "false");
        });
        Worker = new WebApplicationFactory<Program>().WithWebHostBuilder(b => Configure(b, redis, redisPrefix, WorkerLogs, WorkerSpans));
        // Building the worker's host starts its hosted services, Quartz among them.
        _ = Worker.Services;

        using var owner = NewClient();
        var token = await SecureWebFixture.TokenAsync(owner, "/Setup", cts.Token);
        using var response = await owner.PostAsync("/Setup", SecureWebFixture.Form(token, ("Token", TestSetup.Token), ("Email", SecureWebFixture.OwnerEmail),
            ("Password", SecureWebFixture.Password), ("PublicSignUp", "false")), cts.Token);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Setup answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cts.Token)}");
        }
    }

    public HttpClient NewClient() => Web.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public async Task<HttpClient> SignInOwnerAsync(CancellationToken cancellationToken)
    {
        var client = NewClient();
        var token = await SecureWebFixture.TokenAsync(client, "/Account/SignIn", cancellationToken);
        using var response = await client.PostAsync("/Account/SignIn",
            SecureWebFixture.Form(token, ("Email", SecureWebFixture.OwnerEmail), ("Password", SecureWebFixture.Password)), cancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    /// <summary>An experiment in the default project whose model and judge are <paramref name="tenant"/> (its key stored
    /// as the credential's key).</summary>
    public Task<Guid> CreateExperimentAsync(SimTenant tenant, int cases, CancellationToken cancellationToken) =>
        SimulatedExperiment.CreateAsync(Web.Services, SimulatedExperiment.Draft(Simulator, tenant, cases), cancellationToken);

    /// <summary>
    /// Presses "Start" on the experiment page, as a person does (antiforgery token from the page), with
    /// <paramref name="traceParent"/> as the request's W3C traceparent when given; returns the response and the new iteration's id.
    /// </summary>
    public static async Task<(HttpResponseMessage Response, Guid IterationId)> StartIterationAsync(HttpClient client, Guid experimentId,
        string? traceParent, CancellationToken cancellationToken)
    {
        var page = $"/Experiments/Details/{experimentId}";
        var token = await SecureWebFixture.TokenAsync(client, page, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{page}?handler=Start") { Content = SecureWebFixture.Form(token) };
        if (traceParent is not null)
        {
            request.Headers.Add("traceparent", traceParent);
        }

        var response = await client.SendAsync(request, cancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var match = IterationLocation().Match(response.Headers.Location?.OriginalString ?? "");
        Assert.True(match.Success, $"Start redirected to '{response.Headers.Location}'.");
        return (response, Guid.Parse(match.Groups[1].Value));
    }

    public Task<IterationView> WaitUntilFinishedAsync(Guid iterationId, CancellationToken cancellationToken) =>
        IterationAssertions.WaitUntilFinishedAsync(Web.Services.GetRequiredService<IterationService>(), iterationId, cancellationToken);

    /// <summary>Exports whatever both hosts still hold in their batches, so the receiver and the in-memory lists are complete.</summary>
    public void Flush()
    {
        foreach (var services in new[] { Web.Services, Worker.Services })
        {
            services.GetService<TracerProvider>()?.ForceFlush(10_000);
            services.GetService<MeterProvider>()?.ForceFlush(10_000);
            services.GetService<LoggerProvider>()?.ForceFlush(10_000);
        }
    }

    public async Task DisposeAsync()
    {
        if (Worker is not null)
        {
            await Worker.DisposeAsync();
        }

        if (Web is not null)
        {
            await Web.DisposeAsync();
        }

        _otlp?.Dispose();
        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    private void Configure(IWebHostBuilder builder, string redis, string redisPrefix, LogCollector logs, ExportedSpanCollection spans)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting($"ConnectionStrings:{CoreRegistration.DatabaseConnectionName}", Database.ConnectionString);
        builder.UseSetting($"ConnectionStrings:{CoreRegistration.RedisConnectionName}", redis);
        builder.UseSetting("Edison:Redis:KeyPrefix", redisPrefix);
        builder.UseSetting("hostBuilder:reloadConfigOnChange", "false");
        // ServiceDefaults turns the OTLP exporter on when this is set, exactly as the AppHost does in a deployment.
        builder.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", Otlp.Endpoint.ToString());
        builder.UseSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        builder.UseSetting("OTEL_BSP_SCHEDULE_DELAY", "200");
        builder.UseSetting("OTEL_BLRP_SCHEDULE_DELAY", "200");
        builder.UseSetting("OTEL_METRIC_EXPORT_INTERVAL", "500");
        builder.ConfigureLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        builder.ConfigureServices(s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans)));
    }

    [GeneratedRegex("/Iterations/Details/([0-9a-fA-F-]{36})")]
    private static partial Regex IterationLocation();
}

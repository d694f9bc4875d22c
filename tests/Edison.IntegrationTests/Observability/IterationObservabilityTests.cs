using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
using Edison.ServiceDefaults;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Edison.IntegrationTests.Observability;

/// <summary>
/// One iteration started by pressing Start in the web app is one trace in the exporters ServiceDefaults configures: the web
/// request span, the job spans the worker runs and the <c>chat &lt;model&gt;</c> gen_ai spans of its LLM calls; and the metrics
/// the operations issue lists are emitted with non-zero values.
/// </summary>
[Collection(TracedLoopGroup.Name)]
public sealed class IterationObservabilityTests(TracedLoopFixture fixture)
{
    private static readonly string[] ListedMetrics =
    [
        "edison.llm.calls", "edison.llm.tokens", "edison.llm.cost", "edison.llm.cache.lookups", "edison.llm.cache.hits", "edison.llm.errors",
        "edison.jobs.queue.depth", "edison.jobs.pickup_delay", "edison.jobs.duration",
    ];

    [Fact]
    public async Task Observability_IterationStartedFromTheWeb_OneTraceLinksRequestJobAndGenAiSpans_AndListedMetricsAreNonZero()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var measurements = new ConcurrentQueue<(string Name, double Value)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name is ResourceNames.TelemetrySource or ResourceNames.JobTelemetrySource)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((i, v, _, _) => measurements.Enqueue((i.Name, v)));
        meters.SetMeasurementEventCallback<double>((i, v, _, _) => measurements.Enqueue((i.Name, v)));
        meters.SetMeasurementEventCallback<int>((i, v, _, _) => measurements.Enqueue((i.Name, v)));
        meters.Start();

        // Case 2's answer is refused as a bad request: a failed call, so errors by class have something to count.
        var tenant = fixture.Simulator.CreateTenant().Otherwise(r =>
            !SimulatedExperiment.IsJudgeCall(r) && SimulatedExperiment.CaseNumber(r) == 2
                ? SimStep.Status(400, body: """{"error":{"message":"unsupported parameter","type":"invalid_request_error"}}""")
                : SimulatedExperiment.Respond(r));
        var experimentId = await fixture.CreateExperimentAsync(tenant, cases: 3, cts.Token);
        using var owner = await fixture.SignInOwnerAsync(cts.Token);

        // The worker stands by while the web schedules, so the start job is seen waiting in the queue and picked up late.
        var scheduler = await fixture.Worker.Services.GetRequiredService<ISchedulerFactory>().GetScheduler(cts.Token);
        await scheduler.Standby(cts.Token);
        var traceId = ActivityTraceId.CreateRandom();
        Guid iterationId;
        try
        {
            (var response, iterationId) = await TracedLoopFixture.StartIterationAsync(owner, experimentId,
                $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01", cts.Token);
            response.Dispose();
            meters.RecordObservableInstruments();
        }
        finally
        {
            await scheduler.Start(cts.Token);
        }

        var first = await fixture.WaitUntilFinishedAsync(iterationId, cts.Token);
        Assert.Equal(IterationStatus.Completed, first.Status);
        // The same prompt again: every call the first run made successfully is answered from the response cache.
        var (again, secondId) = await TracedLoopFixture.StartIterationAsync(owner, experimentId, null, cts.Token);
        again.Dispose();
        await fixture.WaitUntilFinishedAsync(secondId, cts.Token);
        fixture.Flush();
        meters.RecordObservableInstruments();

        var spans = fixture.WebSpans.Snapshot().Concat(fixture.WorkerSpans.Snapshot()).DistinctBy(s => s.SpanId).ToList();
        var trace = spans.Where(s => s.TraceId == traceId).ToList();
        var byId = trace.ToDictionary(s => s.SpanId);
        // The provider simulator's own request spans are in the trace too (the HTTP client propagates it); the web's is the Start POST.
        var request = Assert.Single(trace, s => s.Source.Name == "Microsoft.AspNetCore" && s.Kind == ActivityKind.Server
            && s.GetTagItem("http.request.method") as string == "POST"
            && (s.GetTagItem("url.path") as string ?? "").StartsWith("/Experiments/Details/", StringComparison.Ordinal));

        var jobs = trace.Where(s => s.Source.Name == ResourceNames.JobTelemetrySource).ToList();
        foreach (var job in new[] { "AdvanceIteration", "ExecuteChunk", "JudgeChunk" })
        {
            Assert.Contains(jobs, s => s.DisplayName == $"job {job}");
        }

        Assert.All(jobs, j => Assert.Equal(iterationId.ToString(), j.GetTagItem("edison.iteration.id")));
        var start = Assert.Single(jobs, j => (j.GetTagItem("edison.job.key") as string ?? "").EndsWith(":start", StringComparison.Ordinal));
        Assert.True(IsUnder(start, request.SpanId, byId), "The start job's span does not descend from the web request's span.");
        // Quartz's own execute span of each firing is one link away.
        Assert.All(jobs, j => Assert.Contains(j.Links, l => spans.Any(q => q.Source.Name == ResourceNames.Quartz && q.SpanId == l.Context.SpanId)));

        var chats = trace.Where(s => s.DisplayName.StartsWith("chat ", StringComparison.Ordinal)).ToList();
        foreach (var model in new[] { SimulatedExperiment.Model, SimulatedExperiment.JudgeModel })
        {
            Assert.Contains(chats, c => c.Source.Name.EndsWith("Microsoft.Extensions.AI", StringComparison.Ordinal)
                && c.DisplayName == $"chat {model}" && c.GetTagItem("gen_ai.request.model") as string == model
                && Number(c, "gen_ai.usage.input_tokens") > 0 && Number(c, "gen_ai.usage.output_tokens") > 0);
        }

        Assert.All(chats, c => Assert.True(jobs.Any(j => IsUnder(c, j.SpanId, byId)), $"{c.DisplayName} ({c.Source.Name}) is under no job span."));

        var missing = ListedMetrics.Where(name => !measurements.Any(m => m.Name == name && m.Value > 0)).ToList();
        Assert.True(missing.Count == 0, "Metrics without a non-zero value: " + string.Join(", ", missing));
    }

    private static bool IsUnder(Activity span, ActivitySpanId ancestor, Dictionary<ActivitySpanId, Activity> byId)
    {
        var parent = span.ParentSpanId;
        for (var depth = 0; depth < 64 && parent != default; depth++)
        {
            if (parent == ancestor)
            {
                return true;
            }

            parent = byId.TryGetValue(parent, out var next) ? next.ParentSpanId : default;
        }

        return false;
    }

    private static long Number(Activity span, string tag) =>
        span.GetTagItem(tag) is { } value ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : 0;
}

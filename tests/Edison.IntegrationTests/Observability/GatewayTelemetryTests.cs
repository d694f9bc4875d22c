using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Edison.Core.Llm;
using Edison.IntegrationTests.Support;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Observability;

/// <summary>
/// What a trace of one LLM call holds today: inside the caller's span (a job's, in the worker), Edison's
/// <c>chat &lt;model&gt;</c> span and Microsoft.Extensions.AI's gen_ai span share its trace id, carry the model and token
/// usage, and the gen_ai token-usage metric is emitted with non-zero values.
/// </summary>
public sealed class GatewayTelemetryTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    [Fact]
    public async Task CompleteAsync_InsideAJobSpan_ChatSpansShareItsTraceAndCarryModelAndUsage()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "Edison" or "Experimental.Microsoft.Extensions.AI" or "Microsoft.Extensions.AI" or "Observability.Job",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var measurements = new ConcurrentBag<(string Instrument, double Value)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name.StartsWith("gen_ai.", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<int>((i, v, _, _) => measurements.Add((i.Name, v)));
        meters.SetMeasurementEventCallback<long>((i, v, _, _) => measurements.Add((i.Name, v)));
        meters.SetMeasurementEventCallback<double>((i, v, _, _) => measurements.Add((i.Name, v)));
        meters.Start();
        var tenant = fixture.Simulator.CreateTenant().Otherwise(_ => SimStep.Reply("fine", inputTokens: 120, outputTokens: 30));
        // A model name of its own: the listener is process-wide and other tests' calls run at the same time.
        var spec = (await GatewayCalls.SpecAsync(fixture, tenant, requestsPerWindow: null, cts.Token)) with { Model = $"traced-{Guid.NewGuid():N}" };
        var gateway = fixture.Services.GetRequiredService<LlmGateway>();
        using var jobSource = new ActivitySource("Observability.Job");

        ActivityTraceId traceId;
        using (var job = jobSource.StartActivity("job ExecuteChunk", ActivityKind.Internal))
        {
            traceId = job!.TraceId;
            var result = await gateway.CompleteAsync(spec with { CallKey = $"otel:{Guid.NewGuid()}" }, GatewayCalls.Prompt("traced"), null, cts.Token);
            Assert.True(result.Succeeded, result.Error);
        }

        meters.RecordObservableInstruments();
        var chat = spans.Where(s => s.DisplayName == $"chat {spec.Model}").ToList();
        Assert.NotEmpty(chat);
        Assert.All(chat, s => Assert.Equal(traceId, s.TraceId));
        Assert.Contains(chat, s => (s.GetTagItem("gen_ai.request.model") as string) == spec.Model);
        Assert.Contains(chat, s => Convert.ToInt64(s.GetTagItem("gen_ai.usage.input_tokens") ?? 0L, System.Globalization.CultureInfo.InvariantCulture) == 120);
        Assert.Contains(measurements, m => m.Instrument == "gen_ai.client.token.usage" && m.Value > 0);
    }
}

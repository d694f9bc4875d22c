using System.Diagnostics.Metrics;
using Edison.Core.Llm;
using Edison.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Llm;

/// <summary>
/// Each call's client is disposed after the call: its telemetry layer owns a Meter (and an ActivitySource), which stay
/// registered, and in memory, until disposed — one per call, so a long iteration grew the worker by tens of thousands.
/// </summary>
[Collection(ProcessWideTelemetryGroup.Name)]
public sealed class GatewayClientLifetimeTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private const string ChatTelemetryMeter = "Experimental.Microsoft.Extensions.AI";
    private const int Calls = 200;

    [Fact]
    public async Task CompleteAsync_ManyCalls_LeaveNoChatClientMetersRegistered()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant();
        var spec = await GatewayCalls.SpecAsync(fixture, tenant, requestsPerWindow: null, cts.Token);
        var gateway = fixture.Services.GetRequiredService<LlmGateway>();
        var before = LiveChatMeters();

        for (var i = 0; i < Calls; i++)
        {
            var result = await gateway.CompleteAsync(spec with { BypassCache = true }, GatewayCalls.Prompt($"call {i}"), null, cts.Token);
            Assert.True(result.Succeeded, result.Error);
        }

        // The class runs alone, so any growth is this test's calls: undisposed, all 200 would still be registered.
        Assert.InRange(LiveChatMeters() - before, int.MinValue, 5);
    }

    /// Meters still registered: a listener is told of every instrument of every live meter when it starts.
    private static int LiveChatMeters()
    {
        var meters = new HashSet<Meter>(ReferenceEqualityComparer.Instance);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == ChatTelemetryMeter)
                {
                    meters.Add(instrument.Meter);
                }
            },
        };
        listener.Start();
        return meters.Count;
    }
}

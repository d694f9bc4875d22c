using System.Security.Cryptography;
using System.Text;
using Edison.IntegrationTests.Support;
using Edison.Testing;

namespace Edison.IntegrationTests.Observability;

/// <summary>
/// A provider key planted as a credential's key is sent to the provider during a full iteration and appears nowhere else:
/// not in an HTTP response the browser gets, not in any log line of the web or worker host, and not in anything the hosts
/// exported over real OTLP/HTTP (traces, logs, metrics) to an in-test receiver.
/// </summary>
[Collection(TracedLoopGroup.Name)]
public sealed class SecurityPlantedKeyTests(TracedLoopFixture fixture)
{
    [Fact]
    public async Task Security_PlantedProviderKey_ReachesTheProviderButNoResponseLogLineOrOtlpExport()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var key = $"sk-planted-{RandomNumberGenerator.GetHexString(40, lowercase: true)}";
        var tenant = fixture.Simulator.CreateTenant(key).Otherwise(SimulatedExperiment.Respond);
        var experimentId = await fixture.CreateExperimentAsync(tenant, cases: 3, cts.Token);
        using var owner = await fixture.SignInOwnerAsync(cts.Token);
        var received = new StringBuilder();

        var (start, iterationId) = await TracedLoopFixture.StartIterationAsync(owner, experimentId, null, cts.Token);
        using (start)
        {
            await AppendAsync(received, start, cts.Token);
        }

        await fixture.WaitUntilFinishedAsync(iterationId, cts.Token);
        foreach (var page in new[] { "/", $"/Experiments/Details/{experimentId}", $"/Iterations/Details/{iterationId}", "/Settings/Credentials" })
        {
            using var response = await owner.GetAsync(page, cts.Token);
            Assert.True(response.IsSuccessStatusCode, $"{page} answered {(int)response.StatusCode}");
            await AppendAsync(received, response, cts.Token);
        }

        // Export until this iteration's job spans reached the receiver: what was exported is complete enough to search.
        await Poll.UntilAsync("the iteration's job spans over OTLP", _ =>
        {
            fixture.Flush();
            return Task.FromResult(fixture.Otlp.Contains("traces", iterationId.ToString()));
        }, found => found, cts.Token);

        Assert.Contains(tenant.Requests, r => r.Headers.TryGetValue("Authorization", out var auth) && auth.Contains(key, StringComparison.Ordinal));
        Assert.DoesNotContain(key, received.ToString(), StringComparison.Ordinal);
        var logs = fixture.WebLogs.Entries.Concat(fixture.WorkerLogs.Entries).ToList();
        Assert.NotEmpty(logs);
        Assert.DoesNotContain(logs, l => l.FullText.Contains(key, StringComparison.Ordinal));
        Assert.NotEmpty(fixture.Otlp.Bodies("logs"));
        Assert.NotEmpty(fixture.Otlp.Bodies("metrics"));
        Assert.True(fixture.Otlp.Contains("traces", "job ExecuteChunk"), "No job span reached the OTLP receiver.");
        Assert.False(fixture.Otlp.AnyContains(key), "The planted key was exported over OTLP.");
        var spans = fixture.WebSpans.Snapshot().Concat(fixture.WorkerSpans.Snapshot());
        Assert.DoesNotContain(spans, s => s.TagObjects.Any(t => t.Value?.ToString()?.Contains(key, StringComparison.Ordinal) == true));
    }

    private static async Task AppendAsync(StringBuilder received, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            received.Append(name).Append(": ").AppendJoin(", ", values).AppendLine();
        }

        received.AppendLine(await response.Content.ReadAsStringAsync(cancellationToken));
    }
}

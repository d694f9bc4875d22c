using Dapper;
using Edison.Core.Llm;
using Edison.Testing.Simulator;
using Microsoft.Extensions.AI;

namespace Edison.IntegrationTests.Support;

/// <summary>Gateway calls on a fresh simulator tenant's credential, and the sliding-window count the rate tests assert on.</summary>
internal static class GatewayCalls
{
    /// <summary>A spec for a new experiment whose credential is the tenant's, with the given requests per window.</summary>
    public static async Task<LlmCallSpec> SpecAsync(CoreFixture fixture, SimTenant tenant, int? requestsPerWindow,
        CancellationToken cancellationToken)
    {
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services,
            SimulatedExperiment.Draft(fixture.Simulator, tenant, cases: 1), cancellationToken);
        var (projectId, credentialId) = await SimulatedExperiment.CredentialAsync(fixture.Database.DataSource, experimentId, cancellationToken);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE provider_credentials SET requests_per_minute = @requestsPerWindow WHERE id = @credentialId",
            new { requestsPerWindow, credentialId }, cancellationToken: cancellationToken));
        return new LlmCallSpec(projectId, credentialId, SimulatedExperiment.Model, "test") { ExperimentId = experimentId };
    }

    public static List<ChatMessage> Prompt(string text) => [new(ChatRole.System, "You are terse."), new(ChatRole.User, text)];

    /// <summary>The most requests that arrived within any window of the given length, starting at an arrival.</summary>
    public static int BusiestWindow(IEnumerable<SimRequest> requests, TimeSpan window)
    {
        var arrivals = requests.Select(r => r.ArrivedAt).Order().ToList();
        var busiest = 0;
        var end = 0;
        for (var start = 0; start < arrivals.Count; start++)
        {
            while (end < arrivals.Count && arrivals[end] - arrivals[start] < window)
            {
                end++;
            }

            busiest = Math.Max(busiest, end - start);
        }

        return busiest;
    }
}

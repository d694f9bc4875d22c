using Dapper;
using Edison.Core.Llm;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Llm;

/// Issue 18, finding 5: credential base URLs reached the cloud metadata service (in any notation), and "Test connection" stored
/// and showed the target's error body, which made Edison an oracle for internal services.
public sealed class HostileOutboundTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private CredentialService Credentials => fixture.Services.GetRequiredService<CredentialService>();

    [Theory]
    [InlineData(ProviderKinds.OpenAICompatible, "http://169.254.169.254/v1")]
    [InlineData(ProviderKinds.OpenAICompatible, "http://2852039166/latest/meta-data")]
    [InlineData(ProviderKinds.OpenAICompatible, "http://[::ffff:169.254.169.254]/v1")]
    [InlineData(ProviderKinds.Ollama, "http://metadata.google.internal/computeMetadata/v1")]
    [InlineData(ProviderKinds.Ollama, "http://0.0.0.0:11434")]
    [InlineData(ProviderKinds.Ollama, "http://[fe80::1]:11434")]
    public async Task HostileSsrf_MetadataOrLinkLocalBaseUrl_IsRefused(string provider, string baseUrl)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var projectId = await CredentialScenario.ProjectAsync(fixture.Database.DataSource, cts.Token);
        var owner = await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token);

        var change = await Credentials.CreateAsync(owner, projectId, new CredentialDraft("Probe", provider, baseUrl, "sk-probe-key"), cts.Token);

        Assert.False(change.Succeeded, $"{baseUrl} was accepted");
        Assert.Contains("never calls it", change.Error, StringComparison.Ordinal);
        // A self-hosted server on this machine stays allowed for an admin's credential (that is what Ollama is for).
        var local = await Credentials.CreateAsync(owner, projectId, new CredentialDraft("Local", provider, "http://127.0.0.1:11434", "sk-local-key"), cts.Token);
        Assert.True(local.Succeeded, local.Error);
    }

    [Fact]
    public async Task HostileOracle_TestConnectionAgainstAServiceThatEchoesASecret_ShowsOnlyAStatusAndAFixedPhrase()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var secret = $"internal-secret-{Guid.NewGuid():N}";
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Status(400, body: $$$"""{"error": {"message": "db password is {{{secret}}}"}}"""));
        var projectId = await CredentialScenario.ProjectAsync(fixture.Database.DataSource, cts.Token);
        var id = await CredentialScenario.CreateAsync(fixture.Services, projectId, CredentialScenario.Draft(fixture.Simulator, tenant), cts.Token);

        var result = await Credentials.TestConnectionAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token), projectId, id,
            SimulatedExperiment.Model, cts.Token);

        Assert.False(result.Ok);
        Assert.Single(tenant.Requests);
        Assert.Contains("HTTP 400", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, result.Error, StringComparison.Ordinal);
        Assert.Empty(await CredentialScenario.RowsContainingAsync(fixture.Database.DataSource, secret, cts.Token));
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        Assert.Equal(result.Error, await connection.ExecuteScalarAsync<string>("SELECT last_test_error FROM provider_credentials WHERE id = @id", new { id }));
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Dapper;
using Edison.Core.Llm;
using Edison.IntegrationTests.Support;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Edison.Testing;

namespace Edison.IntegrationTests.Llm;

/// <summary>
/// Bedrock and Vertex credentials from the person's draft to a signed or token-bearing call: the key shapes and settings
/// they need, refused in words when wrong, and what the simulator checks of their authentication.
/// </summary>
public sealed class CloudCredentialTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private CredentialService Credentials => fixture.Services.GetRequiredService<CredentialService>();

    [Fact]
    public async Task CreateAsync_InvalidBedrockDrafts_AreRefusedWithASentence()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var projectId = await CredentialScenario.ProjectAsync(fixture.Database.DataSource, cts.Token);
        var valid = BedrockDraft(fixture.Simulator.CreateTenant());

        await AssertRefusedAsync(Credentials, projectId, valid with { ApiKey = "AKIAONLYTHEID" }, "ACCESS_KEY_ID:SECRET_ACCESS_KEY", cts.Token);
        await AssertRefusedAsync(Credentials, projectId, valid with { ApiKey = "AKIA/BAD:secret" }, "access key id", cts.Token);
        await AssertRefusedAsync(Credentials, projectId, valid with { Settings = null }, "region", cts.Token);
        await AssertRefusedAsync(Credentials, projectId, valid with { Settings = new Dictionary<string, string> { ["region"] = "Virginia" } },
            "not an AWS region", cts.Token);
        Assert.Empty(await Credentials.ListAsync(projectId, cts.Token));
    }

    [Fact]
    public async Task TestConnectionAsync_BedrockCredential_SignsTheConverseCallWithTheStoredKeysAndRegion()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Reply("OK"));
        var projectId = await CredentialScenario.ProjectAsync(fixture.Database.DataSource, cts.Token);
        var id = await CredentialScenario.CreateAsync(fixture.Services, projectId, BedrockDraft(tenant), cts.Token);

        var result = await Credentials.TestConnectionAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, null, cts.Token);

        Assert.True(result.Ok, result.Error);
        var request = Assert.Single(tenant.Requests);
        Assert.Equal("/model/anthropic.claude-3-5-haiku-20241022-v1:0/converse", request.Path);
        Assert.Matches($"^AWS4-HMAC-SHA256 Credential={tenant.ApiKey}/[0-9]{{8}}/eu-west-3/bedrock/aws4_request, ", request.Headers["Authorization"]);
        Assert.Equal(5, request.Body["inferenceConfig"]?["maxTokens"]?.GetValue<int>());
        // The summary shows the end of the access key id, never of the secret.
        Assert.Equal(tenant.ApiKey[^4..], Assert.Single(await Credentials.ListAsync(projectId, cts.Token)).KeyLast4);
    }

    [Fact]
    public async Task CreateAsync_InvalidVertexDrafts_AreRefusedWithASentence()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant();
        var projectId = await CredentialScenario.ProjectAsync(fixture.Database.DataSource, cts.Token);
        var valid = VertexDraft(tenant);

        await AssertRefusedAsync(Credentials, projectId, valid with { ApiKey = "AIzaSyNotAServiceAccountKey" }, "not JSON", cts.Token);
        await AssertRefusedAsync(Credentials, projectId, valid with { ApiKey = """{"type": "authorized_user", "client_id": "x"}""" },
            "service_account", cts.Token);
        await AssertRefusedAsync(Credentials, projectId, valid with { ApiKey = """{"type": "service_account", "client_email": "a@b.c"}""" },
            "private_key", cts.Token);
        await AssertRefusedAsync(Credentials, projectId,
            valid with { Settings = new Dictionary<string, string> { ["location"] = "the moon" } }, "not a Google Cloud location", cts.Token);
        Assert.Empty(await Credentials.ListAsync(projectId, cts.Token));
    }

    [Fact]
    public async Task TestConnectionAsync_VertexCredentialTwice_FetchesOneTokenAndCallsTheProjectsEndpoint()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant();
        var projectId = await CredentialScenario.ProjectAsync(fixture.Database.DataSource, cts.Token);
        var id = await CredentialScenario.CreateAsync(fixture.Services, projectId, VertexDraft(tenant), cts.Token);

        var first = await Credentials.TestConnectionAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, null, cts.Token);
        var second = await Credentials.TestConnectionAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, id, null, cts.Token);

        Assert.True(first.Ok && second.Ok, first.Error ?? second.Error);
        Assert.Equal(2, tenant.Requests.Count);
        Assert.All(tenant.Requests, r => Assert.Equal("/v1/projects/my-gcp-project/locations/europe-west4/endpoints/openapi/chat/completions", r.Path));
        Assert.All(tenant.Requests, r => Assert.StartsWith("Bearer ya29.sim-", r.Headers["Authorization"], StringComparison.Ordinal));
        // The token is cached until it expires, not fetched per call.
        Assert.Equal(1, tenant.TokensIssued);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        Assert.Equal("ey-1", await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT key_last4 FROM provider_credentials WHERE id = @id", new { id }, cancellationToken: cts.Token)));
    }

    [Fact]
    public async Task CompleteAsync_VertexServiceAccountTheTokenEndpointRefuses_FailsUnauthorizedWithoutRetrying()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant();
        var stranger = fixture.Simulator.CreateTenant();
        var projectId = await CredentialScenario.ProjectAsync(fixture.Database.DataSource, cts.Token);
        // The key names a service account no simulator tenant owns, so /token answers invalid_grant.
        var draft = VertexDraft(tenant) with
        {
            ApiKey = CloudKeys.ServiceAccountJson(stranger, fixture.Simulator).Replace(stranger.ApiKey, "nobody", StringComparison.Ordinal),
        };
        var id = await CredentialScenario.CreateAsync(fixture.Services, projectId, draft, cts.Token);

        var result = await fixture.Services.GetRequiredService<LlmGateway>().CompleteAsync(
            new LlmCallSpec(projectId, id, "google/gemini-2.5-flash", "test"), GatewayCalls.Prompt("hi"), null, cts.Token);

        Assert.False(result.Succeeded);
        Assert.Equal((LlmErrorClass.Unauthorized, 1), (result.ErrorClass, result.Attempts));
        Assert.Empty(tenant.Requests);
        Assert.Equal(0, tenant.TokensIssued);
    }

    [Fact]
    public async Task Simulator_UnsignedBedrockRequest_IsRefusedWith403()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant();
        using var http = new HttpClient();
        using var content = new StringContent("""{"messages":[{"role":"user","content":[{"text":"hi"}]}]}""", Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Simulator.BaseUrl, "model/some-model/converse")) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.ApiKey);

        using var response = await http.SendAsync(request, cts.Token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(tenant.Requests);
    }

    [Fact]
    public async Task Simulator_VertexRequestWithAnApiKeyInsteadOfAnIssuedToken_IsRefusedWith401()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant();
        using var http = new HttpClient();
        using var content = new StringContent("""{"model":"google/gemini-2.5-flash","messages":[{"role":"user","content":"hi"}]}""",
            Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post,
            new Uri(fixture.Simulator.BaseUrl, "v1/projects/p/locations/us-central1/endpoints/openapi/chat/completions")) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.ApiKey);

        using var response = await http.SendAsync(request, cts.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(tenant.Requests);
    }

    private CredentialDraft BedrockDraft(SimTenant tenant) =>
        new($"Bedrock {Guid.NewGuid():N}", ProviderKinds.Bedrock, fixture.Simulator.BaseUrl.ToString(), CloudKeys.Bedrock(tenant))
        {
            Settings = new Dictionary<string, string> { ["region"] = "eu-west-3" },
        };

    private CredentialDraft VertexDraft(SimTenant tenant) =>
        new($"Vertex {Guid.NewGuid():N}", ProviderKinds.Vertex, fixture.Simulator.BaseUrl.ToString(),
            CloudKeys.ServiceAccountJson(tenant, fixture.Simulator))
        {
            Settings = new Dictionary<string, string> { ["project"] = "my-gcp-project", ["location"] = "europe-west4" },
        };

    private async Task AssertRefusedAsync(CredentialService credentials, Guid projectId, CredentialDraft draft, string expected,
        CancellationToken cancellationToken)
    {
        var change = await credentials.CreateAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cancellationToken),
            projectId, draft, cancellationToken);
        Assert.False(change.Succeeded);
        Assert.Contains(expected, change.Error, StringComparison.OrdinalIgnoreCase);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Security;

/// The JSON API as the app maps it, called with bearer tokens: the token's role is the ceiling, its project the only one it sees,
/// and no antiforgery token is needed because no cookie is sent.
public sealed class ApiBearerTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    [Fact]
    public async Task ApiToken_EditorToken_CreatesAVersion_ViewerTokenIsRefused_OtherProjectIsAbsent()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var scenario = await SecurityScenario.CreateAsync(web, cts.Token);
        var tokens = web.Factory.Services.GetRequiredService<ApiTokenService>();
        var ownerId = await OwnerIdAsync(cts.Token);
        var (_, editorToken) = await tokens.CreateAsync(new Actor(ownerId), scenario.ProjectId, "ci editor", ProjectRole.Editor, cts.Token);
        var (_, viewerToken) = await tokens.CreateAsync(new Actor(ownerId), scenario.ProjectId, "dashboard", ProjectRole.Viewer, cts.Token);
        var versions = $"/api/v1/experiments/{scenario.ExperimentId}/prompt-versions/";
        var body = new { parentVersion = 1, template = "Answer briefly: {{ question }}", changelog = "shorter" };

        using var editor = Bearer(editorToken);
        using (var created = await editor.PostAsJsonAsync(versions, body, cts.Token))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Contains("Answer briefly", await created.Content.ReadAsStringAsync(cts.Token), StringComparison.Ordinal);
        }

        using var viewer = Bearer(viewerToken);
        using (var listed = await viewer.GetAsync(versions, cts.Token))
        {
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        }

        using (var refused = await viewer.PostAsJsonAsync(versions, body, cts.Token))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var elsewhere = await editor.GetAsync($"/api/v1/experiments/{scenario.OtherProjectExperimentId}", cts.Token))
        {
            Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        }

        using var anonymous = web.NewClient();
        using var unauthenticated = await anonymous.GetAsync(versions, cts.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
    }

    private HttpClient Bearer(string token)
    {
        var client = web.NewClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<Guid> OwnerIdAsync(CancellationToken cancellationToken)
    {
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return await Dapper.SqlMapper.ExecuteScalarAsync<Guid>(connection, "SELECT id FROM users WHERE is_instance_owner");
    }
}

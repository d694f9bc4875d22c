using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Security;

/// Issue 18, finding 9: every error of the JSON API is problem+json with its status, whatever the client says it accepts —
/// never the HTML error page ("Something went wrong").
public sealed class ApiErrorsHostileTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    [Fact]
    public async Task ApiErrors_401_403_404_HostileAreProblemJsonNotHtml()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var scenario = await SecurityScenario.CreateAsync(web, cts.Token);
        var tokens = web.Factory.Services.GetRequiredService<ApiTokenService>();
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        var ownerId = await Dapper.SqlMapper.ExecuteScalarAsync<Guid>(connection, "SELECT id FROM users WHERE is_instance_owner");
        var (_, viewerToken) = await tokens.CreateAsync(new Actor(ownerId), scenario.ProjectId, "dashboard", ProjectRole.Viewer, cts.Token);
        var versions = $"/api/v1/experiments/{scenario.ExperimentId}/prompt-versions/";
        var body = new { parentVersion = 1, template = "Answer: {{ question }}", changelog = "x" };

        using var anonymous = web.NewClient();
        anonymous.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        using var viewer = web.NewClient();
        viewer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", viewerToken);
        viewer.DefaultRequestHeaders.Accept.ParseAdd("text/html,application/xhtml+xml");

        await AssertProblemAsync(await anonymous.GetAsync(versions, cts.Token), HttpStatusCode.Unauthorized, cts.Token);
        await AssertProblemAsync(await viewer.PostAsJsonAsync(versions, body, cts.Token), HttpStatusCode.Forbidden, cts.Token);
        await AssertProblemAsync(await viewer.GetAsync($"/api/v1/experiments/{scenario.OtherProjectExperimentId}", cts.Token), HttpStatusCode.NotFound, cts.Token);
        await AssertProblemAsync(await viewer.GetAsync("/api/v1/no-such-route", cts.Token), HttpStatusCode.NotFound, cts.Token);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            Assert.Equal(expected, response.StatusCode);
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
                $"{(int)expected} came back as {response.Content.Headers.ContentType}: {text[..Math.Min(200, text.Length)]}");
            using var problem = JsonDocument.Parse(text);
            Assert.Equal((int)expected, problem.RootElement.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("title").GetString()));
            Assert.DoesNotContain("Something went wrong", text, StringComparison.Ordinal);
        }
    }
}

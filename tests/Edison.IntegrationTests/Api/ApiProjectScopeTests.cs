using System.Net;
using System.Text.Json;
using Dapper;
using Edison.Core.Security;
using Edison.IntegrationTests.Security;

namespace Edison.IntegrationTests.Api;

/// <summary>
/// The API's project scope as the app maps it: a member lists the projects they belong to, someone in none is refused, and a
/// dataset of another project answers 404 exactly like one that does not exist.
/// </summary>
public sealed class ApiProjectScopeTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    [Fact]
    public async Task Api_ProjectsAndDatasets_ListMineAndHideAnotherProjectsDataset()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var scenario = await SecurityScenario.CreateAsync(web, cts.Token);
        var viewer = scenario.Members[ProjectRole.Viewer];
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        var mine = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM datasets WHERE experiment_id = @ExperimentId", new { scenario.ExperimentId });
        // The scenario moves only the experiment to the other project; its dataset follows it here.
        var theirs = await connection.ExecuteScalarAsync<Guid>("""
            UPDATE datasets d SET project_id = e.project_id FROM experiments e
            WHERE e.id = @OtherProjectExperimentId AND d.experiment_id = e.id RETURNING d.id
            """, new { scenario.OtherProjectExperimentId });

        using var projects = await viewer.GetAsync("/api/v1/projects", cts.Token);
        using var outsider = await scenario.Outsider.GetAsync("/api/v1/projects", cts.Token);
        using var own = await viewer.GetAsync($"/api/v1/datasets/{mine}", cts.Token);
        using var other = await scenario.Members[ProjectRole.Owner].GetAsync($"/api/v1/datasets/{theirs}/cases", cts.Token);
        using var otherList = await scenario.Members[ProjectRole.Owner].GetAsync(
            $"/api/v1/experiments/{scenario.OtherProjectExperimentId}/datasets", cts.Token);

        Assert.Equal(HttpStatusCode.OK, projects.StatusCode);
        var listed = JsonDocument.Parse(await projects.Content.ReadAsStringAsync(cts.Token)).RootElement;
        var entry = Assert.Single(listed.EnumerateArray());
        Assert.Equal(scenario.ProjectId, entry.GetProperty("projectId").GetGuid());
        Assert.Equal(HttpStatusCode.Forbidden, outsider.StatusCode);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(mine, JsonDocument.Parse(await own.Content.ReadAsStringAsync(cts.Token)).RootElement.GetProperty("id").GetGuid());
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherList.StatusCode);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Edison.Testing.Simulator;
using Xunit.Abstractions;

namespace Edison.IntegrationTests.Api;

/// <summary>
/// The JSON API under /api/v1: its OpenAPI document and reference page, ProblemDetails errors, paging, and the CI check that
/// fails a regressed prompt and passes an improved one against production.
/// </summary>
public sealed class OpenApiCiCheckTests(ApiFixture fixture, ITestOutputHelper output) : IClassFixture<ApiFixture>
{
    private const int Cases = 20;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task OpenApiDocument_Served_ListsEveryApiEndpointAndTheReferencePageRendersIt()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var http = fixture.CreateClient();

        using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri("openapi/v1.json", UriKind.Relative), cts.Token));
        var paths = doc.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var operations = doc.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => o.Value.GetProperty("operationId").GetString())).ToHashSet(StringComparer.Ordinal);

        Assert.StartsWith("3.", doc.RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.Subset(paths, new HashSet<string>(StringComparer.Ordinal)
        {
            "/api/v1/experiments", "/api/v1/experiments/{experimentId}", "/api/v1/experiments/{experimentId}/prompt-versions",
            "/api/v1/experiments/{experimentId}/prompt-versions/production", "/api/v1/experiments/{experimentId}/prompt-versions/{from}/diff/{to}",
            "/api/v1/experiments/{experimentId}/iterations", "/api/v1/iterations/{iterationId}", "/api/v1/iterations/{iterationId}/metrics",
            "/api/v1/iterations/{iterationId}/outputs", "/api/v1/suggestions/{suggestionId}/approve", "/api/v1/suggestions/{suggestionId}/reject",
            "/api/v1/experiments/{experimentId}/checks", "/api/v1/checks/{checkId}", "/api/v1/experiments/{experimentId}/bundle", "/api/v1/bundles",
            "/api/v1/projects", "/api/v1/experiments/{experimentId}/datasets", "/api/v1/datasets/{datasetId}", "/api/v1/datasets/{datasetId}/cases",
            "/api/v1/iterations/{iterationId}/judgments",
        });
        Assert.Subset(operations, new HashSet<string?>(StringComparer.Ordinal) { "CreateExperiment", "StartCheck", "GetCheck", "DiffPromptVersions", "ListProjects",
            "ImportCases", "ImportDataset", "ListIterationJudgments" });
        var page = await http.GetStringAsync(new Uri("api/v1/reference", UriKind.Relative), cts.Token);
        Assert.Contains("<script src=\"/api/v1/reference.js\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("https://cdn", page, StringComparison.OrdinalIgnoreCase);
        var script = await http.GetStringAsync(new Uri("api/v1/reference.js", UriKind.Relative), cts.Token);
        Assert.Contains("/openapi/v1.json", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_UnknownIdsAndInvalidDefinition_AnswerProblemDetails()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var http = fixture.CreateClient();

        using var missing = await http.GetAsync(new Uri($"api/v1/experiments/{Guid.NewGuid()}", UriKind.Relative), cts.Token);
        using var missingCheck = await http.GetAsync(new Uri($"api/v1/checks/{Guid.NewGuid()}", UriKind.Relative), cts.Token);
        using var invalid = await http.PostAsync(new Uri("api/v1/experiments", UriKind.Relative), JsonContent.Create(new
        {
            name = "",
            goal = "",
            rubric = new { criteria = Array.Empty<object>() },
            promptTemplate = "",
            cases = Array.Empty<object>(),
            models = Array.Empty<object>(),
            judges = Array.Empty<object>(),
        }), cts.Token);

        foreach (var (response, status) in new[] { (missing, HttpStatusCode.NotFound), (missingCheck, HttpStatusCode.NotFound),
                     (invalid, HttpStatusCode.BadRequest) })
        {
            var body = await response.Content.ReadAsStringAsync(cts.Token);
            Assert.True(status == response.StatusCode, $"{response.StatusCode}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(body);
            Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        }
    }

    [Fact]
    public async Task CiCheck_RegressedPromptFailsAndImprovedPromptPasses_AgainstProductionWithPairedComparison()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        using var http = fixture.CreateClient();
        // The model's answer carries the prompt's marker, and the judge scores the marker: production averages 3.
        var tenant = fixture.Simulator.CreateTenant().Otherwise(r =>
        {
            if (SimulatedExperiment.IsJudgeCall(r))
            {
                var text = r.Messages.First(m => m.Role == "user").Text;
                var n = SimulatedExperiment.CaseNumber(r);
                return SimulatedExperiment.Verdict(text.Contains("great", StringComparison.Ordinal) ? 5
                    : text.Contains("poor", StringComparison.Ordinal) ? 1 : SimulatedExperiment.ScoreFor(n));
            }

            var prompt = string.Join('\n', r.Messages.Select(m => m.Text));
            var suffix = prompt.Contains("IMPROVED", StringComparison.Ordinal) ? " great" : prompt.Contains("REGRESSED", StringComparison.Ordinal) ? " poor" : "";
            return SimStep.Reply($"answer-{SimulatedExperiment.CaseNumber(r)}{suffix}");
        });
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services,
            SimulatedExperiment.Draft(fixture.Simulator, tenant, Cases), cts.Token);
        var root = $"api/v1/experiments/{experimentId}";

        var baseline = await PostAsync<Created>(http, $"{root}/iterations", new { }, HttpStatusCode.Accepted, cts.Token);
        var baselineView = await PollAsync(http, baseline.Location, "status", s => s is "completed" or "failed" or "cancelled", cts.Token);
        Assert.Equal("completed", baselineView.GetProperty("status").GetString());
        Assert.Equal(3.0, baselineView.GetProperty("meanScore").GetDouble(), 6);
        using (var label = await http.PutAsync(new Uri($"{root}/prompt-versions/1/labels/production", UriKind.Relative), null, cts.Token))
        {
            Assert.Equal(HttpStatusCode.NoContent, label.StatusCode);
        }

        var regressed = await PostAsync<VersionRef>(http, $"{root}/prompt-versions",
            new { parentVersion = 1, template = "REGRESSED Answer briefly: {{ question }}", changelog = "A worse prompt." }, HttpStatusCode.Created, cts.Token);
        var improved = await PostAsync<VersionRef>(http, $"{root}/prompt-versions",
            new { parentVersion = 1, template = "IMPROVED Answer briefly: {{ question }}", changelog = "A better prompt." }, HttpStatusCode.Created, cts.Token);
        var production = await http.GetFromJsonAsync<VersionRef>(new Uri($"{root}/prompt-versions/production", UriKind.Relative), Json, cts.Token);
        var diff = await http.GetFromJsonAsync<JsonElement>(new Uri($"{root}/prompt-versions/1/diff/{improved.Version}", UriKind.Relative), Json, cts.Token);

        var failedCheck = await RunCheckAsync(http, root, regressed.Version, cts.Token);
        var passedCheck = await RunCheckAsync(http, root, improved.Version, cts.Token);

        output.WriteLine(failedCheck.ToString());
        output.WriteLine(passedCheck.ToString());
        Assert.Equal(1, production!.Version);
        Assert.Contains("+IMPROVED Answer briefly", diff.GetProperty("unifiedDiff").GetString(), StringComparison.Ordinal);
        Assert.Equal("failed", failedCheck.GetProperty("status").GetString());
        Assert.Equal(1.0, failedCheck.GetProperty("meanScore").GetDouble(), 6);
        Assert.NotEmpty(failedCheck.GetProperty("reasons").EnumerateArray());
        Assert.Equal(1, failedCheck.GetProperty("productionVersion").GetInt32());
        Assert.True(failedCheck.GetProperty("comparison").GetProperty("meanDifference").GetDouble() < 0);
        Assert.Equal("passed", passedCheck.GetProperty("status").GetString());
        Assert.Equal(5.0, passedCheck.GetProperty("meanScore").GetDouble(), 6);
        Assert.Empty(passedCheck.GetProperty("reasons").EnumerateArray());
        Assert.True(passedCheck.GetProperty("comparison").GetProperty("meanDifference").GetDouble() > 0);

        // Outputs page in stable order with a next offset.
        var firstPage = await http.GetFromJsonAsync<JsonElement>(
            new Uri($"api/v1/iterations/{baseline.Id}/outputs?offset=0&limit=7", UriKind.Relative), Json, cts.Token);
        var lastPage = await http.GetFromJsonAsync<JsonElement>(
            new Uri($"api/v1/iterations/{baseline.Id}/outputs?offset=14&limit=7", UriKind.Relative), Json, cts.Token);
        Assert.Equal((7, Cases, 7), (firstPage.GetProperty("items").GetArrayLength(), firstPage.GetProperty("total").GetInt32(),
            firstPage.GetProperty("nextOffset").GetInt32()));
        Assert.Equal((6, JsonValueKind.Null), (lastPage.GetProperty("items").GetArrayLength(), lastPage.GetProperty("nextOffset").ValueKind));
    }

    private static async Task<JsonElement> RunCheckAsync(HttpClient http, string root, int version, CancellationToken cancellationToken)
    {
        var check = await PostAsync<Created>(http, $"{root}/checks", new { version, threshold = 3.0 }, HttpStatusCode.Accepted, cancellationToken);
        return await PollAsync(http, check.Location, "status", s => s != "running", cancellationToken);
    }

    private static async Task<T> PostAsync<T>(HttpClient http, string path, object body, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(new Uri(path, UriKind.Relative), body, Json, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == expected, $"POST {path}: {response.StatusCode} {text}");
        return JsonSerializer.Deserialize<T>(text, Json)!;
    }

    private static Task<JsonElement> PollAsync(HttpClient http, string location, string property, Func<string?, bool> done,
        CancellationToken cancellationToken) =>
        Poll.UntilAsync(location, ct => http.GetFromJsonAsync<JsonElement>(new Uri(location.TrimStart('/'), UriKind.Relative), Json, ct),
            e => done(e.GetProperty(property).GetString()), cancellationToken);

    private sealed record Created(Guid Id, string Location);

    private sealed record VersionRef(Guid Id, int Version);
}

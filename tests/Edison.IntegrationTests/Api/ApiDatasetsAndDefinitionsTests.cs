using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Edison.IntegrationTests.Support;
using Edison.Testing;

namespace Edison.IntegrationTests.Api;

/// <summary>
/// The API's definition and data endpoints: an experiment created from YAML runs like any other; its dataset is listed, read a
/// page at a time and grown by bulk JSON Lines and CSV imports; the run's judgments come back paged; bad input is ProblemDetails.
/// </summary>
public sealed class ApiDatasetsAndDefinitionsTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private const int Cases = 6;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Api_YamlDefinition_CreatesARunnableExperimentWhoseCasesImportAndJudgmentsPage()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var http = fixture.CreateClient();
        var tenant = fixture.Simulator.CreateTenant().Otherwise(SimulatedExperiment.Respond);
        // A first experiment stores the simulator's credential in the default project; the YAML definition names it by id.
        var seeded = await SimulatedExperiment.CreateAsync(fixture.Services,
            SimulatedExperiment.Draft(fixture.Simulator, tenant, 1), cts.Token);
        var (_, credentialId) = await SimulatedExperiment.CredentialAsync(fixture.Database.DataSource, seeded, cts.Token);

        using var created = await http.PostAsync(new Uri("api/v1/experiments", UriKind.Relative), Yaml(Definition(credentialId)), cts.Token);
        var createdBody = await created.Content.ReadAsStringAsync(cts.Token);
        Assert.True(created.StatusCode == HttpStatusCode.Created, createdBody);
        var experimentId = JsonDocument.Parse(createdBody).RootElement.GetProperty("id").GetGuid();
        var experiment = await GetAsync(http, $"api/v1/experiments/{experimentId}", cts.Token);
        var datasets = await GetAsync(http, $"api/v1/experiments/{experimentId}/datasets", cts.Token);
        var datasetId = datasets[0].GetProperty("id").GetGuid();
        var firstPage = await GetAsync(http, $"api/v1/datasets/{datasetId}/cases?offset=0&limit=4", cts.Token);

        Assert.Equal("Defined in YAML", experiment.GetProperty("name").GetString());
        Assert.Equal((1, Cases, 1), (datasets.GetArrayLength(), datasets[0].GetProperty("caseCount").GetInt32(), datasets[0].GetProperty("currentVersion").GetInt32()));
        Assert.Equal((4, Cases, 4), (firstPage.GetProperty("items").GetArrayLength(), firstPage.GetProperty("total").GetInt32(),
            firstPage.GetProperty("nextOffset").GetInt32()));
        Assert.Equal("question-1", firstPage.GetProperty("items")[0].GetProperty("input").GetProperty("question").GetString());

        var jsonl = await PostFileAsync(http, $"api/v1/datasets/{datasetId}/cases", "{\"question\": \"question-7\"}\n{\"question\": \"question-8\"}\n",
            "application/x-ndjson", cts.Token);
        var csv = await PostFileAsync(http, $"api/v1/datasets/{datasetId}/cases", "question,expected\nquestion-9,answer-9\n", "text/csv", cts.Token);
        var dataset = await GetAsync(http, $"api/v1/datasets/{datasetId}", cts.Token);
        var lastPage = await GetAsync(http, $"api/v1/datasets/{datasetId}/cases?offset=8&limit=4", cts.Token);
        var versionOne = await GetAsync(http, $"api/v1/datasets/{datasetId}/cases?version=1&limit=100", cts.Token);

        Assert.Equal((2, 2), (jsonl.GetProperty("imported").GetInt32(), jsonl.GetProperty("datasetVersion").GetInt32()));
        Assert.Equal((1, 3), (csv.GetProperty("imported").GetInt32(), csv.GetProperty("datasetVersion").GetInt32()));
        Assert.Equal(Cases + 3, dataset.GetProperty("caseCount").GetInt32());
        Assert.Equal("answer-9", lastPage.GetProperty("items")[0].GetProperty("expectedOutput").GetString());
        Assert.Equal(JsonValueKind.Null, lastPage.GetProperty("nextOffset").ValueKind);
        Assert.Equal(Cases, versionOne.GetProperty("total").GetInt32());

        using var started = await http.PostAsJsonAsync(new Uri($"api/v1/experiments/{experimentId}/iterations", UriKind.Relative), new { }, cts.Token);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = JsonDocument.Parse(await started.Content.ReadAsStringAsync(cts.Token)).RootElement.GetProperty("location").GetString()!;
        var iteration = await Poll.UntilAsync("the YAML experiment's iteration", ct => GetAsync(http, location.TrimStart('/'), ct),
            e => e.GetProperty("status").GetString() is "completed" or "failed" or "cancelled", cts.Token);
        var judgments = await GetAsync(http, $"{location.TrimStart('/')}/judgments?offset=0&limit=5", cts.Token);

        Assert.Equal("completed", iteration.GetProperty("status").GetString());
        Assert.Equal((5, Cases + 3), (judgments.GetProperty("items").GetArrayLength(), judgments.GetProperty("total").GetInt32()));
        var judgment = judgments.GetProperty("items")[0];
        Assert.Equal(("pointwise", "succeeded"), (judgment.GetProperty("mode").GetString(), judgment.GetProperty("status").GetString()));
        Assert.InRange(judgment.GetProperty("scores").GetProperty(SimulatedExperiment.Criterion).GetInt32(), 1, 5);
    }

    [Fact]
    public async Task Api_BadYamlUnknownFormatAndBadRows_AnswerProblemDetailsInWords()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var http = fixture.CreateClient();
        var tenant = fixture.Simulator.CreateTenant().Otherwise(SimulatedExperiment.Respond);
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services,
            SimulatedExperiment.Draft(fixture.Simulator, tenant, 2), cts.Token);
        var datasetId = (await GetAsync(http, $"api/v1/experiments/{experimentId}/datasets", cts.Token))[0].GetProperty("id").GetGuid();

        using var badYaml = await http.PostAsync(new Uri("api/v1/experiments", UriKind.Relative), Yaml("name: [unclosed\ngoal: x"), cts.Token);
        using var badQuote = await http.PostAsync(new Uri("api/v1/experiments", UriKind.Relative), Yaml("name: ok\ngoal: \"unclosed\n"), cts.Token);
        using var unknownFormat = await http.PostAsync(new Uri($"api/v1/datasets/{datasetId}/cases?format=xml", UriKind.Relative),
            new StringContent("question\nq", Encoding.UTF8, "text/csv"), cts.Token);
        using var badRows = await http.PostAsync(new Uri($"api/v1/datasets/{datasetId}/cases", UriKind.Relative),
            new StringContent("not json\nalso not json\n", Encoding.UTF8, "application/x-ndjson"), cts.Token);
        using var missing = await http.GetAsync(new Uri($"api/v1/datasets/{Guid.NewGuid()}", UriKind.Relative), cts.Token);

        await AssertProblemAsync(badYaml, HttpStatusCode.BadRequest, "The YAML does not parse", cts.Token);
        await AssertProblemAsync(badQuote, HttpStatusCode.BadRequest, "The YAML does not parse at line 2", cts.Token);
        await AssertProblemAsync(unknownFormat, HttpStatusCode.BadRequest, "text/csv", cts.Token);
        await AssertProblemAsync(badRows, HttpStatusCode.BadRequest, "\"file\":[", cts.Token);
        await AssertProblemAsync(missing, HttpStatusCode.NotFound, "does not exist", cts.Token);
        Assert.Equal(1, (await GetAsync(http, $"api/v1/datasets/{datasetId}", cts.Token)).GetProperty("currentVersion").GetInt32());
    }

    private static string Definition(Guid credentialId) => $$"""
        name: Defined in YAML
        goal: Answer the question correctly.
        rubric:
          criteria:
            - name: {{SimulatedExperiment.Criterion}}
              description: The answer is correct.
              weight: 1
              scaleMin: 1
              scaleMax: 5
              labels:
                1: wrong
                2: mostly wrong
                3: partly right
                4: mostly right
                5: right
        promptTemplate: "Answer briefly: {{"{{"}} question {{"}}"}}"
        systemText: You are terse.
        cases:
        {{string.Join("\n", Enumerable.Range(1, Cases).Select(i => $"  - variables: {{ question: question-{i} }}\n    tags: []"))}}
        models:
          - credentialId: {{credentialId}}
            model: {{SimulatedExperiment.Model}}
        judges:
          - kind: pointwise
            credentialId: {{credentialId}}
            model: {{SimulatedExperiment.JudgeModel}}
        """;

    private static StringContent Yaml(string text) => new(text, Encoding.UTF8, "application/yaml");

    private static async Task<JsonElement> GetAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {response.StatusCode} {body}");
        return JsonSerializer.Deserialize<JsonElement>(body, Json);
    }

    private static async Task<JsonElement> PostFileAsync(HttpClient http, string path, string text, string contentType, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), new StringContent(text, Encoding.UTF8, contentType), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {path}: {response.StatusCode} {body}");
        return JsonSerializer.Deserialize<JsonElement>(body, Json);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string words, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(words, body, StringComparison.Ordinal);
    }
}

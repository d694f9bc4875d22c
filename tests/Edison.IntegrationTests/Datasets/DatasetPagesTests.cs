extern alias web;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Edison.Testing;
using Edison.Core.Datasets.Import;
using Edison.Core.Experiments;
using Edison.Core.Generation;
using Edison.Core.Llm;
using Edison.IntegrationTests.Security;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Datasets;

/// <summary>
/// The datasets, import, generation and coverage pages in process, signed in as the owner: each flow is driven through its
/// forms (antiforgery included) and checked both in the HTML and in the database.
/// </summary>
public sealed partial class DatasetPagesTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    [Fact]
    public async Task ImportPages_CsvWithMappingAndTwoBadRows_PreviewListsTheRowErrorsAndCommitImportsTheOtherThree()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var owner = await web.SignInAsync(SecureWebFixture.OwnerEmail, cts.Token);
        var name = $"Support {Guid.NewGuid():N}";
        const string Csv = "question,answer,tags,difficulty\n"
            + "Where is my parcel?,It is on its way.,shipping,easy\n"
            + "Refund please,Refunded.,refund,extreme\n"
            + "I cannot log in,Reset your password.,login;account,medium\n"
            + "Change my address,Done.,account,impossible\n"
            + "Cancel my order,Cancelled.,orders,hard\n";

        var upload = await UploadAsync(owner, "questions.csv", Encoding.UTF8.GetBytes(Csv), name, cts.Token);
        Assert.Contains("name=\"Columns[1].Header\" value=\"answer\"", upload, StringComparison.Ordinal);
        Assert.Contains("5 rows: <strong>3 valid</strong>, <strong>2 with errors</strong>", upload, StringComparison.Ordinal);
        var fields = MappingFields(upload, name, ("question", "Variable"), ("answer", "ExpectedOutput"), ("tags", "Tags"), ("difficulty", "Difficulty"));

        var preview = await PostAsync(owner, "/Datasets/Import?handler=Preview", fields, cts.Token);
        Assert.Equal([(2, "difficulty"), (4, "difficulty")], RowErrors(preview));
        Assert.Contains("Import 3 valid rows", preview, StringComparison.Ordinal);
        var commit = await PostAsync(owner, "/Datasets/Import?handler=Commit", fields, cts.Token);

        Assert.Contains("3 cases</strong> imported as version v1", commit, StringComparison.Ordinal);
        Assert.Equal([(2, "difficulty"), (4, "difficulty")], RowErrors(commit));
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        var cases = (await connection.QueryAsync<(string Input, string Expected, string[] Tags)>(new CommandDefinition("""
            SELECT c.input::text, c.expected_output, c.tags FROM cases c JOIN datasets d ON d.id = c.dataset_id WHERE d.name = @name ORDER BY c.position
            """, new { name }, cancellationToken: cts.Token))).ToList();
        Assert.Equal(["It is on its way.", "Reset your password.", "Cancelled."], cases.Select(c => c.Expected));
        Assert.Equal(["login", "account"], cases[1].Tags);
        Assert.Equal("{\"question\": \"Where is my parcel?\"}", cases[0].Input);
    }

    [Theory]
    [InlineData("empty.csv", "", "The file is empty")]
    [InlineData("binary.csv", "question\n\u0000\u0001\u0002", "The file is not text")]
    [InlineData("quotes.csv", "question,answer\n\"unterminated,answer\nnext,row\n", "quot")]
    public async Task ImportPage_UnreadableFile_ShowsAClearErrorAndChangesNothing(string fileName, string content, string expected)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var owner = await web.SignInAsync(SecureWebFixture.OwnerEmail, cts.Token);
        var before = await DatasetCountAsync(cts.Token);

        var html = await UploadAsync(owner, fileName, Encoding.UTF8.GetBytes(content), $"bad {Guid.NewGuid():N}", cts.Token);

        var error = ImportError().Match(html);
        Assert.True(error.Success, "no import error on the page");
        Assert.Contains(expected, error.Groups[1].Value, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("Nothing was imported.", error.Groups[1].Value, StringComparison.Ordinal);
        Assert.Equal(before, await DatasetCountAsync(cts.Token));
    }

    [Fact]
    public async Task ImportPage_UploadOverTheLimit_ShowsTheLimitAsTheImportPagesErrorNotABare413()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var owner = await web.SignInAsync(SecureWebFixture.OwnerEmail, cts.Token);
        var before = await DatasetCountAsync(cts.Token);
        var big = new byte[(int)ImportLimits.MaxBytes + (2 * 1024 * 1024)];
        big.AsSpan().Fill((byte)'a');

        using var content = await MultipartAsync(owner, "big.csv", big, "too big", cts.Token);
        using var response = await owner.PostAsync("/Datasets/Import?handler=Upload", content, cts.Token);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var page = await owner.GetStringAsync(response.Headers.Location, cts.Token);
        var error = ImportError().Match(page);
        Assert.True(error.Success, "no import error on the page");
        Assert.Contains("The upload is 22 MB: the limit is 20 MB and 50,000 rows. Nothing was imported.", error.Groups[1].Value, StringComparison.Ordinal);
        Assert.Equal(before, await DatasetCountAsync(cts.Token));
    }

    [Fact]
    public async Task DatasetDetails_SearchTagEditAndSplit_FiltersTheCasesAndEachChangeIsANewVersion()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var owner = await web.SignInAsync(SecureWebFixture.OwnerEmail, cts.Token);
        var projectId = await web.Factory.Services.GetRequiredService<ExperimentService>().DefaultProjectIdAsync(cts.Token);
        var jsonl = "{\"input\": {\"question\": \"Refund my order\"}, \"tags\": [\"refund\"]}\n{\"input\": {\"question\": \"Reset my password\"}, \"tags\": [\"login\"]}\n"
            + "{\"input\": {\"question\": \"Refund the gift card\"}, \"tags\": [\"refund\"]}\n";
        var imported = await web.Factory.Services.GetRequiredService<DatasetImporter>().CommitAsync(
            await TestActors.OwnerOfAsync(web.Database.DataSource, projectId, cts.Token), projectId, null, null, $"Browse {Guid.NewGuid():N}",
            new MemoryStream(Encoding.UTF8.GetBytes(jsonl)), ImportFormat.JsonLines, null, cts.Token);
        var id = imported.DatasetId!.Value;
        var path = $"/Datasets/Details/{id}";

        var search = await owner.GetStringAsync($"{path}?q=refund", cts.Token);
        using var tagRequest = new HttpRequestMessage(HttpMethod.Get, $"{path}?handler=Cases&tag=login");
        tagRequest.Headers.Add("HX-Request", "true");
        using var tagResponse = await owner.SendAsync(tagRequest, cts.Token);
        var tagged = await tagResponse.Content.ReadAsStringAsync(cts.Token);

        Assert.Contains("Refund the gift card", search, StringComparison.Ordinal);
        Assert.DoesNotContain("Reset my password", search, StringComparison.Ordinal);
        Assert.Contains("2 matching cases", search, StringComparison.Ordinal);
        Assert.StartsWith("<div id=\"cases\">", tagged.Trim(), StringComparison.Ordinal);
        Assert.Contains("Reset my password", tagged, StringComparison.Ordinal);
        Assert.DoesNotContain("Refund my order", tagged, StringComparison.Ordinal);

        var ids = CaseIds().Matches(search).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(2, ids.Count);
        var token = await SecureWebFixture.TokenAsync(owner, path, cts.Token);
        var tagMessage = await PostAndFollowAsync(owner, $"{path}?handler=Tag", token, cts.Token, [.. ids.Select(i => ("selected", i)), ("tag", "Urgent")]);
        var badEdit = await PostAsync(owner, $"{path}?handler=SaveCase", [("__RequestVerificationToken", token), ("caseId", ids[0]), ("form.Variables", "not json")],
            cts.Token);
        var editMessage = await PostAndFollowAsync(owner, $"{path}?handler=SaveCase", token, cts.Token,
            ("caseId", ids[0]), ("form.Variables", "{\"question\": \"Refund my order twice\"}"), ("form.Tags", "refund, urgent"), ("form.Difficulty", "hard"));
        var splitMessage = await PostAndFollowAsync(owner, $"{path}?handler=Assign", token, cts.Token, ("selected", ids[1]), ("split", "test"));
        var export = await owner.GetStringAsync($"{path}?handler=Export&format=jsonl", cts.Token);

        Assert.Contains("Tagged 2 cases &quot;urgent&quot; (version 2).", tagMessage, StringComparison.Ordinal);
        Assert.Contains("Write the variables as a JSON object", badEdit, StringComparison.Ordinal);
        Assert.Contains("Case saved as version 3 of the dataset", editMessage, StringComparison.Ordinal);
        Assert.Contains("moved to test", splitMessage, StringComparison.Ordinal);
        Assert.Contains("v4", splitMessage, StringComparison.Ordinal);
        Assert.Contains("{\"input\":{\"question\":\"Refund my order twice\"},\"expected\":null,\"tags\":[\"refund\",\"urgent\"],\"difficulty\":\"hard\"", export,
            StringComparison.Ordinal);
        var third = export.Split('\n', StringSplitOptions.RemoveEmptyEntries)[2];
        Assert.Contains("\"split\":\"test\"", third, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerationPages_GenerateReviewAccept_DuplicatesShownWithReasonsAndAcceptedCasesJoinANewDataset()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var simulator = await ProviderSimulator.StartAsync(cts.Token);
        var tenant = simulator.CreateTenant().Otherwise(_ => SimStep.ReplyJson(new
        {
            cases = Questions.Select(q => new { variables = new Dictionary<string, string> { ["question"] = q }, tags = Tags, difficulty = "easy" }).ToList(),
        }));
        var owner = await web.SignInAsync(SecureWebFixture.OwnerEmail, cts.Token);
        var projectId = await web.Factory.Services.GetRequiredService<ExperimentService>().DefaultProjectIdAsync(cts.Token);
        var credential = await web.Factory.Services.GetRequiredService<CredentialService>().CreateAsync(
            await TestActors.OwnerOfAsync(web.Database.DataSource, projectId, cts.Token), projectId,
            new CredentialDraft($"Sim {Guid.NewGuid():N}", ProviderKinds.OpenAICompatible, simulator.OpenAIBaseUrl.ToString(), tenant.ApiKey), cts.Token);
        var token = await SecureWebFixture.TokenAsync(owner, "/Generation/New", cts.Token);

        var missing = await PostAsync(owner, "/Generation/New", [("__RequestVerificationToken", token), ("Form.Count", "3")], cts.Token);
        using var start = await owner.PostAsync("/Generation/New", SecureWebFixture.Form(token, ("Form.Goal", "Answer delivery questions."),
            ("Form.Variables", "question"), ("Form.Count", "3"), ("Form.CredentialId", credential.Id!.Value.ToString()), ("Form.Model", "sim-writer"),
            ("Form.DiversityTarget", "0.1"), ("Form.EdgeCases", "false")), cts.Token);
        Assert.Contains("Say what the prompt under test must achieve", missing, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var runPath = start.Headers.Location!.OriginalString;
        var runId = Guid.Parse(runPath.Split('/')[^1]);
        var live = await owner.GetStringAsync(runPath, cts.Token);
        // The web app only schedules the job; the worker's job body is the service call made here.
        await web.Factory.Services.GetRequiredService<GenerationService>().RunAsync(runId, cts.Token);
        var review = await owner.GetStringAsync(runPath, cts.Token);

        Assert.Contains($"sse-connect=\"/events/generation/{runId}\"", live, StringComparison.Ordinal);
        Assert.Contains("sse:progress, sse:status, every 3s", live, StringComparison.Ordinal);
        Assert.Contains("Review (3 waiting", review, StringComparison.Ordinal);
        Assert.Contains("Exact duplicate of case 1.", review, StringComparison.Ordinal);
        Assert.Contains("target met", review, StringComparison.Ordinal);
        var pending = GeneratedIds().Matches(review).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(3, pending.Count);
        var discard = await PostAndFollowAsync(owner, $"{runPath}?handler=Discard", token, cts.Token, ("selected", pending[2]));
        var name = $"Generated {Guid.NewGuid():N}";
        var accept = await PostAndFollowAsync(owner, $"{runPath}?handler=Accept&all=true", token, cts.Token, ("datasetName", name));

        Assert.Contains("Discarded 1 case.", discard, StringComparison.Ordinal);
        Assert.Contains("Accepted 2 cases into version v1 of the dataset.", accept, StringComparison.Ordinal);
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*) FROM cases c JOIN datasets d ON d.id = c.dataset_id WHERE d.name = @name AND d.kind = 'synthetic'", new { name },
            cancellationToken: cts.Token)));
    }

    private static readonly string[] Tags = ["delivery"];

    private static readonly string[] Questions = ["Where is my parcel from Lisbon?", "How do I change the delivery address to Porto?",
        "Where is my parcel from Lisbon?", "My invoice shows the wrong VAT number for the company"];

    private async Task<long> DatasetCountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM datasets", cancellationToken: cancellationToken));
    }

    private static async Task<MultipartFormDataContent> MultipartAsync(HttpClient client, string fileName, byte[] bytes, string name,
        CancellationToken cancellationToken)
    {
        var token = await SecureWebFixture.TokenAsync(client, "/Datasets/Import", cancellationToken);
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent(name), "Name" },
            { file, "file", fileName },
        };
    }

    private static async Task<string> UploadAsync(HttpClient client, string fileName, byte[] bytes, string name, CancellationToken cancellationToken)
    {
        using var content = await MultipartAsync(client, fileName, bytes, name, cancellationToken);
        using var response = await client.PostAsync("/Datasets/Import?handler=Upload", content, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private static List<(string, string)> MappingFields(string html, string name, params (string Header, string Role)[] roles)
    {
        var fields = new List<(string, string)>
        {
            ("__RequestVerificationToken", Hidden(html, "__RequestVerificationToken")), ("Token", Hidden(html, "Token")), ("Format", Hidden(html, "Format")),
            ("FileName", Hidden(html, "FileName")), ("Name", name),
        };
        for (var i = 0; i < roles.Length; i++)
        {
            fields.Add(($"Columns[{i}].Header", roles[i].Header));
            fields.Add(($"Columns[{i}].Role", roles[i].Role));
        }

        return fields;
    }

    private static string Hidden(string html, string name)
    {
        var match = Regex.Match(html, $"name=\"{Regex.Escape(name)}\"[^>]*value=\"([^\"]*)\"");
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException($"No hidden field {name}.");
    }

    private static async Task<string> PostAsync(HttpClient client, string path, IEnumerable<(string Key, string Value)> fields, CancellationToken cancellationToken)
    {
        using var content = new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Key, f.Value)));
        using var response = await client.PostAsync(path, content, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private static async Task<string> PostAndFollowAsync(HttpClient client, string path, string token, CancellationToken cancellationToken,
        params (string Key, string Value)[] fields)
    {
        using var response = await client.PostAsync(path, SecureWebFixture.Form(token, fields), cancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return await client.GetStringAsync(response.Headers.Location, cancellationToken);
    }

    private static List<(int Row, string Column)> RowErrors(string html)
    {
        var table = html[html.IndexOf("id=\"row-errors\"", StringComparison.Ordinal)..];
        return RowError().Matches(table).Select(m => (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups[2].Value)).ToList();
    }

    [GeneratedRegex("<tr><th scope=\"row\" class=\"num\">(\\d+)</th><td class=\"num\">\\d+</td><td>([^<]*)</td>")]
    private static partial Regex RowError();

    [GeneratedRegex("<div class=\"alert alert-error\" role=\"alert\" id=\"import-error\">([^<]*)</div>")]
    private static partial Regex ImportError();

    [GeneratedRegex("name=\"selected\" value=\"([0-9a-f-]{36})\"")]
    private static partial Regex CaseIds();

    [GeneratedRegex("<tr id=\"generated-([0-9a-f-]{36})\"")]
    private static partial Regex GeneratedIds();
}

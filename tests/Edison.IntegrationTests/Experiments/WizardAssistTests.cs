using Edison.Testing;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Edison.Core.Assist;
using Edison.Core.Llm;
using Edison.IntegrationTests.Security;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Experiments;

/// <summary>
/// The wizard's AI assist end to end in the web app, the provider simulator answering: the click answers at once with a panel
/// that connects to the SSE stream, the text streams in as chunks (for Draft and Improve, the readable text of their JSON answer),
/// the outcome partial offers it, and "Use" puts it in the field;
/// "Draft the rest" fills the later steps; a provider failure is said in words.
/// </summary>
public sealed partial class WizardAssistTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>, IAsyncLifetime
{
    private const string AssistModel = "sim-assist";
    private static readonly string[] ImproveReasons = ["Names the domain and the tone."];
    private static readonly string[] LabelOptions = ["Wrong facts", "Facts mostly wrong", "A false claim"];
    private ProviderSimulator _simulator = null!;

    public async Task InitializeAsync() => _simulator = await ProviderSimulator.StartAsync(CancellationToken.None);

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task Complete_Goal_StreamsChunksThenUseputs_TheCompletedTextInTheField()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        const string Continuation = " and always end with one concrete next step the customer can take today.";
        var tenant = _simulator.CreateTenant().Enqueue(SimStep.Reply(Continuation, inputTokens: 30, outputTokens: 15));
        using var client = await EditorWithAssistAsync(tenant, cts.Token);

        var panel = await PostAsync(client, "/Experiments/New?handler=Assist&field=Goal&mode=Complete", cts.Token, ("Input.Step", "1"),
            ("Input.Name", "Support"), ("Input.Goal", "Answer support questions politely"));
        Assert.Contains($"Completing with {AssistModel}…", panel, StringComparison.Ordinal);
        var events = await EventsAsync(client, panel, cts.Token);

        Assert.Equal("ready", events[0].Name);
        var chunks = events.Where(e => e.Name == "chunk").Select(e => WebUtility.HtmlDecode(e.Data)).ToList();
        Assert.True(chunks.Count > 1, "The completion arrived in one piece: nothing was streamed.");
        Assert.Equal(Continuation, string.Concat(chunks));
        Assert.Equal("done", events[^1].Name);
        var outcome = await client.GetStringAsync(ResultUrl(panel), cts.Token);
        Assert.Contains("Use the completed text", outcome, StringComparison.Ordinal);

        var step = await PostAsync(client, "/Experiments/New?handler=Use", cts.Token, ("Input.Step", "1"), ("Input.Name", "Support"),
            ("Input.Goal", "Answer support questions politely"), ("field", "Goal"), ("text", "Answer support questions politely" + Continuation));
        Assert.Contains("Answer support questions politely" + Continuation + "</textarea>", step, StringComparison.Ordinal);
        Assert.True(Assert.Single(tenant.Requests).Stream);
    }

    [Fact]
    public async Task Draft_CriterionLabel_ThreeOptionsToPickFrom()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = _simulator.CreateTenant().Enqueue(SimStep.ReplyJson(new { options = LabelOptions }));
        using var client = await EditorWithAssistAsync(tenant, cts.Token);

        var panel = await PostAsync(client, "/Experiments/New?handler=Assist&field=Criteria%5B0%5D.Labels%5B0%5D&mode=Draft", cts.Token, ("Input.Step", "2"),
            ("Input.Criteria[0].Name", "Accuracy"), ("Input.Criteria[0].Weight", "1"), ("Input.Criteria[0].Description", "Facts are right."));
        Assert.Contains("class=\"assist-stream\"", panel, StringComparison.Ordinal);
        var events = await EventsAsync(client, panel, cts.Token);
        var outcome = await client.GetStringAsync(ResultUrl(panel), cts.Token);

        // The options are seen being written (their text, not the JSON around it) before the pickable outcome replaces them.
        var chunks = events.Where(e => e.Name == "chunk").Select(e => WebUtility.HtmlDecode(e.Data)).ToList();
        Assert.True(chunks.Count > 1, "The drafts arrived in one piece: nothing was streamed.");
        Assert.Equal(string.Join("\n\n", LabelOptions), string.Concat(chunks));
        Assert.Equal(["ready", .. chunks.Select(_ => "chunk"), "done"], events.Select(e => e.Name));
        Assert.True(Assert.Single(tenant.Requests).Stream);
        Assert.Contains("Pick one of three drafts", outcome, StringComparison.Ordinal);
        Assert.Contains("Facts mostly wrong", outcome, StringComparison.Ordinal);
        Assert.Contains("Use option 3", outcome, StringComparison.Ordinal);
        Assert.Contains("the label of score 1 for criterion 1", Assert.Single(tenant.Requests).LastUserText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Improve_SystemText_ShownAsADiffWithReasonsAndAcceptedIntoTheField()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = _simulator.CreateTenant().Enqueue(SimStep.ReplyJson(new { improved = "You are a kind, precise billing agent.", reasons = ImproveReasons }));
        using var client = await EditorWithAssistAsync(tenant, cts.Token);

        var panel = await PostAsync(client, "/Experiments/New?handler=Assist&field=SystemText&mode=Improve", cts.Token, ("Input.Step", "3"),
            ("Input.SystemText", "You are an agent."), ("Input.PromptTemplate", "Answer: {{ question }}"));
        var events = await EventsAsync(client, panel, cts.Token);
        var outcome = await client.GetStringAsync(ResultUrl(panel), cts.Token);

        var chunks = events.Where(e => e.Name == "chunk").Select(e => WebUtility.HtmlDecode(e.Data)).ToList();
        Assert.True(chunks.Count > 1, "The improvement arrived in one piece: nothing was streamed.");
        Assert.Equal("You are a kind, precise billing agent.\n\nNames the domain and the tone.", string.Concat(chunks));
        Assert.Equal(["ready", .. chunks.Select(_ => "chunk"), "done"], events.Select(e => e.Name));
        Assert.True(Assert.Single(tenant.Requests).Stream);

        Assert.Contains("<span class=\"diff-remove\">-You are an agent.", outcome, StringComparison.Ordinal);
        Assert.Contains("<span class=\"diff-add\">&#x2B;You are a kind, precise billing agent.</span>", outcome, StringComparison.Ordinal);
        Assert.Contains("<li>Names the domain and the tone.</li>", outcome, StringComparison.Ordinal);
        var step = await PostAsync(client, "/Experiments/New?handler=Use", cts.Token, ("Input.Step", "3"), ("Input.SystemText", "You are an agent."),
            ("Input.PromptTemplate", "Answer: {{ question }}"), ("field", "SystemText"), ("text", "You are a kind, precise billing agent."));
        Assert.Contains("You are a kind, precise billing agent.</textarea>", step, StringComparison.Ordinal);
        Assert.Contains("Answer: {{ question }}</textarea>", step, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Draft_StreamedAnswerIsNotJsonTwice_EndsWithDoneAndTheErrorInWords()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = _simulator.CreateTenant().Otherwise(_ => SimStep.Reply("Here are three options: brief, warm, formal."));
        using var client = await EditorWithAssistAsync(tenant, cts.Token);

        var panel = await PostAsync(client, "/Experiments/New?handler=Assist&field=Goal&mode=Draft", cts.Token, ("Input.Step", "1"),
            ("Input.Name", "Support"), ("Input.Goal", "Answer support questions"));
        var events = await EventsAsync(client, panel, cts.Token);
        var outcome = await client.GetStringAsync(ResultUrl(panel), cts.Token);

        Assert.Equal("done", events[^1].Name);
        Assert.Contains("<p class=\"alert alert-error assist-error\" role=\"alert\">The answer is not valid JSON", outcome, StringComparison.Ordinal);
        Assert.DoesNotContain("Pick one of three drafts", outcome, StringComparison.Ordinal);
        // The first answer streamed; the retry with the error fed back did not, and failed too.
        Assert.Equal([true, false], tenant.Requests.Select(r => r.Stream));
    }

    [Fact]
    public async Task Draft_StreamedAnswerHasTwoOptions_RetriedWithTheErrorAndTheThreeOptionsReplaceThePreview()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = _simulator.CreateTenant().Enqueue(
            SimStep.ReplyJson(new { options = LabelOptions.Take(2).ToList() }),
            SimStep.ReplyJson(new { options = LabelOptions }));
        using var client = await EditorWithAssistAsync(tenant, cts.Token);

        var panel = await PostAsync(client, "/Experiments/New?handler=Assist&field=Goal&mode=Draft", cts.Token, ("Input.Step", "1"),
            ("Input.Name", "Support"), ("Input.Goal", "Answer support questions"));
        var events = await EventsAsync(client, panel, cts.Token);
        var outcome = await client.GetStringAsync(ResultUrl(panel), cts.Token);

        Assert.Equal(string.Join("\n\n", LabelOptions.Take(2)), string.Concat(events.Where(e => e.Name == "chunk").Select(e => WebUtility.HtmlDecode(e.Data))));
        Assert.Equal("done", events[^1].Name);
        Assert.Contains("Use option 3", outcome, StringComparison.Ordinal);
        Assert.Contains("A false claim", outcome, StringComparison.Ordinal);
        Assert.Contains("Give exactly three non-empty options.", tenant.Requests[1].LastUserText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Complete_ProviderDown_TheErrorIsShownInWords()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = _simulator.CreateTenant().Otherwise(_ => SimStep.Status(401, body: "invalid api key"));
        using var client = await EditorWithAssistAsync(tenant, cts.Token);

        var panel = await PostAsync(client, "/Experiments/New?handler=Assist&field=Goal&mode=Complete", cts.Token, ("Input.Step", "1"),
            ("Input.Name", "Support"), ("Input.Goal", "Answer support questions"));
        await EventsAsync(client, panel, cts.Token);
        var outcome = await client.GetStringAsync(ResultUrl(panel), cts.Token);

        Assert.Contains($"<p class=\"alert alert-error assist-error\" role=\"alert\">{AssistModel} could not answer:", outcome, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DraftTheRest_Goal_FillsRubricSeedPromptTwentyCasesTwoJudgesTheRefinerAndStopRules()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = _simulator.CreateTenant().Otherwise(r => r.SchemaName switch
        {
            nameof(RubricAnswer) => SimStep.ReplyJson(new
            {
                criteria = new[]
                {
                    new { name = "Correctness", description = "Facts right.", weight = 3.0, labels = new List<string> { "wrong", "mostly wrong", "mixed", "mostly right", "right" } },
                    new { name = "Politeness", description = "Kind tone.", weight = 1.0, labels = new List<string> { "rude", "curt", "neutral", "kind", "warm" } },
                },
            }),
            nameof(SeedPromptAnswer) => SimStep.ReplyJson(new
            {
                systemText = "You are a senior support agent.",
                template = "Answer the customer.\n<question>{{ question }}</question>",
                variables = new List<string> { "question" },
                techniques = new[] { new { technique = "Role", criterion = "Politeness", why = "tone" }, new { technique = "Decomposition", criterion = "Correctness", why = "facts" } },
            }),
            "GeneratedBatch" => SimStep.ReplyJson(new
            {
                cases = Enumerable.Range(0, 20).Select(i => new
                {
                    variables = new Dictionary<string, string> { ["question"] = $"Question {i} about order {i * 7919} and topic {i * 31}" },
                    tags = new[] { i % 2 == 0 ? "refund" : "login" },
                    difficulty = "easy",
                }).ToList(),
            }),
            _ => SimStep.Status(400),
        });
        using var client = await EditorWithAssistAsync(tenant, cts.Token);

        var panel = await PostAsync(client, "/Experiments/New?handler=DraftRest", cts.Token, ("Input.Step", "1"), ("Input.Name", "Support"),
            ("Input.Goal", "Answer support questions correctly and kindly."), ("Input.DraftBudgetUsd", "3"));
        await EventsAsync(client, panel, cts.Token);
        var outcome = await client.GetStringAsync(ResultUrl(panel), cts.Token);

        Assert.Contains("<strong>Drafted.</strong>", outcome, StringComparison.Ordinal);
        var rubric = await client.GetStringAsync("/Experiments/New?step=2", cts.Token);
        Assert.Contains("value=\"Correctness\"", rubric, StringComparison.Ordinal);
        Assert.Contains("value=\"0.75\"", rubric, StringComparison.Ordinal);
        Assert.Contains("value=\"warm\"", rubric, StringComparison.Ordinal);
        Assert.Contains("20 cases read", await client.GetStringAsync("/Experiments/New?step=4", cts.Token), StringComparison.Ordinal);
        var judges = await client.GetStringAsync("/Experiments/New?step=6", cts.Token);
        Assert.Equal(2, JudgeModels().Matches(judges).Count(m => m.Groups[1].Value == AssistModel));
        Assert.Contains($"name=\"Input.RefinerModel\" value=\"{AssistModel}\"", judges, StringComparison.Ordinal);
        Assert.Contains("Answer support questions correctly and kindly.</textarea>", await client.GetStringAsync("/Experiments/New?step=1", cts.Token),
            StringComparison.Ordinal);
    }

    private async Task<HttpClient> EditorWithAssistAsync(SimTenant tenant, CancellationToken cancellationToken)
    {
        var (client, userId) = await web.SignUpAsync($"assist-{Guid.NewGuid():N}@security.test", cancellationToken);
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cancellationToken);
        var projectId = await connection.ExecuteScalarAsync<Guid>(new CommandDefinition("SELECT id FROM projects ORDER BY created_at LIMIT 1",
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("INSERT INTO project_members (project_id, user_id, role) VALUES (@projectId, @userId, 'editor')",
            new { projectId, userId }, cancellationToken: cancellationToken));
        var services = web.Factory.Services;
        var change = await services.GetRequiredService<CredentialService>().CreateAsync(
            await TestActors.OwnerOfAsync(web.Database.DataSource, projectId, cancellationToken), projectId, new CredentialDraft($"Simulator {tenant.ApiKey[^8..]}",
            ProviderKinds.OpenAICompatible, _simulator.OpenAIBaseUrl.ToString(), tenant.ApiKey), cancellationToken);
        Assert.Null(await services.GetRequiredService<AssistSettingsStore>().SetAsync(
            await TestActors.OwnerOfAsync(web.Database.DataSource, projectId, cancellationToken), projectId, new AssistModelSetting(change.Id!.Value, AssistModel),
            cancellationToken));
        return client;
    }

    private static async Task<string> PostAsync(HttpClient client, string url, CancellationToken cancellationToken, params (string Key, string Value)[] fields)
    {
        var token = await SecureWebFixture.TokenAsync(client, "/Experiments/New", cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = SecureWebFixture.Form(token, fields) };
        request.Headers.Add("HX-Request", "true");
        using var response = await client.SendAsync(request, cancellationToken);
        var html = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, html);
        return html;
    }

    /// Reads the panel's SSE stream up to "done" (the server keeps it open after that until the page swaps the panel).
    private static async Task<List<(string Name, string Data)>> EventsAsync(HttpClient client, string panel, CancellationToken cancellationToken)
    {
        var url = WebUtility.HtmlDecode(SseUrl().Match(panel).Groups[1].Value);
        Assert.StartsWith("/events/assist/", url, StringComparison.Ordinal);
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
        var events = new List<(string, string)>();
        var (name, data) = ("message", new List<string>());
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                events.Add((name, string.Join('\n', data)));
                if (name == "done")
                {
                    break;
                }

                (name, data) = ("message", []);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Add(line[6..]);
            }
        }

        return events;
    }

    private static string ResultUrl(string panel) => WebUtility.HtmlDecode(ResultGet().Match(panel).Groups[1].Value);

    [GeneratedRegex("sse-connect=\"([^\"]+)\"")]
    private static partial Regex SseUrl();

    [GeneratedRegex("hx-get=\"([^\"]+handler=AssistResult[^\"]*)\"")]
    private static partial Regex ResultGet();

    [GeneratedRegex("name=\"Input.Judges\\[\\d\\].Model\" value=\"([^\"]*)\"")]
    private static partial Regex JudgeModels();
}

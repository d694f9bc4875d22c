using System.Net;
using System.Net.ServerSentEvents;
using System.Text.RegularExpressions;
using Dapper;
using Edison.Testing.TestData;
using Npgsql;

namespace Edison.EndToEndTests;

/// The walking skeleton through every real layer: web form → Core → Quartz → worker → simulator → PostgreSQL → Redis → SSE.
[Collection(EdisonAppGroup.Name)]
public sealed partial class SkeletonIterationEndToEndTests(EdisonAppFixture app)
{
    [Fact]
    public async Task StartIteration_FromTheWebApp_WorkerRunsAndJudgesEveryCase()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var tenant = SkeletonScript.Apply(app.Simulator.CreateTenant(), TimeSpan.FromMilliseconds(100));
        using var client = app.CreateWebClient();

        var experimentId = await CreateExperimentAsync(client, app.Simulator.OpenAIBaseUrl, tenant.ApiKey, "E2E skeleton", cts.Token);
        var detailsPath = $"/Experiments/Details/{experimentId}";
        var token = await AntiforgeryTokenAsync(client, detailsPath, cts.Token);

        // Listen for live events before starting, as the iteration page does.
        using var sseClient = app.CreateWebClient();
        sseClient.Timeout = Timeout.InfiniteTimeSpan;
        using var sseResponse = await sseClient.GetAsync($"/events/experiments/{experimentId}", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", sseResponse.Content.Headers.ContentType?.MediaType);
        var events = new List<string>();
        var sseTask = Task.Run(async () =>
        {
            await foreach (var item in SseParser.Create(await sseResponse.Content.ReadAsStreamAsync(cts.Token)).EnumerateAsync(cts.Token))
            {
                lock (events)
                {
                    events.Add(item.EventType);
                }
            }
        }, cts.Token);

        using var start = await client.PostAsync($"{detailsPath}?handler=Start",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }), cts.Token);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var iterationId = Guid.Parse(start.Headers.Location!.OriginalString.Split('/')[^1]);

        await using var db = new NpgsqlConnection(app.DatabaseConnectionString);
        await db.OpenAsync(cts.Token);
        string status;
        do
        {
            await Task.Delay(200, cts.Token);
            status = await db.ExecuteScalarAsync<string>("SELECT status FROM iterations WHERE id = @iterationId", new { iterationId }) ?? "";
        }
        while (status is not ("completed" or "failed" or "cancelled"));

        Assert.Equal("completed", status);
        var outputs = (await db.QueryAsync<(Guid Id, string Status, string Text)>("""
            SELECT o.id, o.status, o.text FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id WHERE mr.iteration_id = @iterationId
            """, new { iterationId })).ToList();
        Assert.Equal(SkeletonScript.CaseCount, outputs.Count);
        Assert.All(outputs, o => Assert.Equal("succeeded", o.Status));
        Assert.All(outputs, o => Assert.StartsWith("Thanks for asking!", o.Text, StringComparison.Ordinal));

        var judgments = (await db.QueryAsync<(Guid OutputId, string Status, double? Composite)>("""
            SELECT j.output_id, j.status, j.composite FROM judgments j JOIN outputs o ON o.id = j.output_id
            JOIN model_runs mr ON mr.id = o.model_run_id WHERE mr.iteration_id = @iterationId
            """, new { iterationId })).ToList();
        Assert.Equal(outputs.Select(o => o.Id).Order(), judgments.Select(j => j.OutputId).Order());
        Assert.All(judgments, j => Assert.Equal(("succeeded", 4.0), (j.Status, j.Composite)));

        var calls = await db.ExecuteScalarAsync<int>("SELECT count(*)::int FROM llm_calls WHERE iteration_id = @iterationId", new { iterationId });
        Assert.Equal(SkeletonScript.CaseCount * 2, calls);
        Assert.Equal(SkeletonScript.CaseCount * 2, tenant.Requests.Count);
        var metrics = await db.ExecuteScalarAsync<double>("SELECT (metrics ->> 'meanScore')::double precision FROM iterations WHERE id = @iterationId",
            new { iterationId });
        Assert.Equal(4.0, metrics);

        var page = await client.GetStringAsync($"/Iterations/Details/{iterationId}", cts.Token);
        Assert.Contains("completed", page, StringComparison.Ordinal);
        Assert.DoesNotContain(tenant.ApiKey, page, StringComparison.Ordinal);

        // The worker's events reached the browser stream through Redis.
        await WaitUntilAsync(() => { lock (events) { return events.Contains("status") && events.Contains("progress"); } }, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sseTask);
    }

    internal static async Task<Guid> CreateExperimentAsync(HttpClient client, Uri providerBaseUrl, string apiKey, string name,
        CancellationToken cancellationToken)
    {
        var token = await AntiforgeryTokenAsync(client, "/Experiments/Quick", cancellationToken);
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["Form.Name"] = name,
            ["Form.Goal"] = "Answer support questions helpfully.",
            ["Form.CriterionName"] = SkeletonScript.Criterion,
            ["Form.CriterionDescription"] = "Answers the question and gives a next step.",
            ["Form.PromptTemplate"] = SkeletonScript.Template,
            ["Form.SystemText"] = "",
            ["Form.CasesJsonl"] = SupportCaseFaker.JsonLines(SkeletonScript.CaseCount),
            ["Form.BaseUrl"] = providerBaseUrl.ToString(),
            ["Form.ApiKey"] = apiKey,
            ["Form.Model"] = "gpt-4o-mini",
            ["Form.JudgeModel"] = "gpt-4o",
        };
        using var response = await client.PostAsync("/Experiments/Quick", new FormUrlEncodedContent(form), cancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return Guid.Parse(response.Headers.Location!.OriginalString.Split('/')[^1]);
    }

    internal static async Task<string> AntiforgeryTokenAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        var html = await client.GetStringAsync(path, cancellationToken);
        return TokenPattern().Match(html).Groups[1].Value;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(100, cancellationToken);
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}

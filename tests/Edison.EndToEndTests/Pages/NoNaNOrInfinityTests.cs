using System.IO.Compression;
using System.Text.RegularExpressions;
using Dapper;
using Edison.EndToEndTests.LoopPages;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Playwright;
using Npgsql;

namespace Edison.EndToEndTests.Pages;

/// <summary>
/// No page, HTML report or export shows NaN, Infinity or ∞ for an iteration whose judge answered in a usable form for 0, 1
/// or 2 of its cases (the rest of its verdicts do not parse): every routable page of the accessibility test's list, the
/// bundle's report.html and the dataset's CSV export.
/// </summary>
[Collection(EdisonAppGroup.Name)]
public sealed partial class NoNaNOrInfinityTests(EdisonAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private static readonly string[] Questions = ["How do I reset my password?", "Why was I charged twice?"];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task EveryPageReportAndExport_IterationWithFewScoredCases_ShowNoNaNOrInfinity(int scoredCases)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var valid = Questions.Take(scoredCases).ToArray();
        // The judge's verdict parses only for the chosen cases; for every other case (and its repair) it answers prose.
        var tenant = app.Simulator.CreateTenant().Otherwise(r =>
            r.SchemaName == "PointwiseVerdict" && !valid.Any(q => r.Messages.Any(m => m.Text.Contains(q, StringComparison.Ordinal)))
                ? SimStep.Reply("I would rather not score this one.")
                : LoopScript.Answer(r));
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.WebUrl.ToString() });
        await app.SignInOwnerAsync(context);
        var name = $"Few scored {scoredCases} {Guid.NewGuid():N}"[..24];
        var ids = await SeedAsync(await context.NewPageAsync(), tenant.ApiKey, name, scoredCases, cts.Token);

        var failures = new List<string>();
        var checkedPages = 0;
        foreach (var route in WebPageRoutes.All())
        {
            if (EveryPageAccessibilityTests.NotPagesHere.ContainsKey(route.Template) || EveryPageAccessibilityTests.AnonymousPages.Contains(route.Template))
            {
                continue;
            }

            var (url, unfilled) = EveryPageAccessibilityTests.Fill(route, ids);
            if (unfilled is not null && route.Folder == "Reviews" && !ids.ContainsKey("suggestion"))
            {
                // An iteration whose judging failed is never refined, so this project may have no suggestion to show.
                continue;
            }

            if (unfilled is not null)
            {
                failures.Add($"{route.Identifier}: no seeded value for '{unfilled}'.");
                continue;
            }

            var page = await context.NewPageAsync();
            try
            {
                var response = await page.GotoAsync(url);
                if (response is null || response.Status != 200)
                {
                    failures.Add($"{url}: answered {response?.Status}.");
                    continue;
                }

                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                failures.AddRange(Offending(url, await page.InnerTextAsync("body")));
                failures.AddRange(Offending(url + " (markup)", await page.ContentAsync()));
                checkedPages++;
            }
            finally
            {
                await page.CloseAsync();
            }
        }

        // Six cases split 4 / 1 / 1: the overview and the iteration page say in words that no change can be shown significant.
        foreach (var url in new[] { $"/Experiments/Details/{ids["experiment"]}", $"/Iterations/Details/{ids["iteration"]}" })
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(url);
            await Assertions.Expect(page.Locator("#significance-warning")).ToContainTextAsync(
                "With 1 validation case no change can be shown significant", new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("#significance-warning")).ToContainTextAsync("add at least 5.");
            await page.CloseAsync();
        }

        var bundle = await context.APIRequest.GetAsync($"/api/v1/experiments/{ids["experiment"]}/bundle");
        Assert.True(bundle.Ok, $"bundle: {bundle.Status}");
        using (var zip = new ZipArchive(new MemoryStream(await bundle.BodyAsync()), ZipArchiveMode.Read))
        {
            var report = zip.GetEntry("report.html");
            Assert.NotNull(report);
            using var reader = new StreamReader(report.Open());
            failures.AddRange(Offending("report.html", await reader.ReadToEndAsync(cts.Token)));
        }

        var csv = await context.APIRequest.GetAsync($"/Datasets/Details/{ids["dataset"]}?handler=Export&format=csv");
        Assert.True(csv.Ok, $"csv export: {csv.Status}");
        failures.AddRange(Offending("dataset CSV export", await csv.TextAsync()));

        Assert.True(checkedPages >= 15, $"Only {checkedPages} pages were checked.");
        Assert.True(failures.Count == 0, $"{failures.Count} problem(s) with {scoredCases} scored case(s):\n{string.Join("\n", failures)}");
    }

    private static IEnumerable<string> Offending(string where, string text) =>
        Forbidden().Matches(text).Select(m => $"{where}: \"{Around(text, m.Index)}\"").Take(3);

    private static string Around(string text, int index) =>
        text.Substring(Math.Max(0, index - 60), Math.Min(text.Length - Math.Max(0, index - 60), 120)).ReplaceLineEndings(" ");

    // The iteration ran to its end (reviewing, with the refiner's suggestion, or completed/failed) before the pages are read.
    private async Task<Dictionary<string, Guid>> SeedAsync(IPage page, string apiKey, string name, int scoredCases, CancellationToken cancellationToken)
    {
        await BrowserChecks.CreateExperimentAsync(page, app, apiKey, name, LoopScript.RefinerModel);
        await page.GetByRole(AriaRole.Button, new() { Name = "Run an iteration" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Iteration 1", Level = 1 })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.CloseAsync();

        await using var connection = new NpgsqlConnection(app.DatabaseConnectionString);
        await Poll.UntilAsync("iteration 1 to finish", async ct => await connection.ExecuteScalarAsync<string>(new CommandDefinition("""
            SELECT i.status FROM iterations i JOIN experiments e ON e.id = i.experiment_id WHERE e.name = @name AND i.number = 1
            """, new { name }, cancellationToken: ct)), s => s is "reviewing" or "completed" or "failed" or "judging_failed", cancellationToken);
        var row = await connection.QuerySingleAsync<SeedRow>(new CommandDefinition("""
            SELECT e.id AS Experiment, e.project_id AS Project,
                   (SELECT id FROM iterations WHERE experiment_id = e.id AND number = 1) AS Iteration,
                   (SELECT count(DISTINCT o.case_id)::int FROM judgments j JOIN outputs o ON o.id = j.output_id JOIN iterations i ON i.id = j.iteration_id
                     WHERE i.experiment_id = e.id AND i.number = 1 AND j.mode = 'pointwise' AND j.status = 'succeeded') AS Scored,
                   (SELECT s.id FROM suggestions s JOIN iterations i ON i.id = s.iteration_id JOIN experiments x ON x.id = i.experiment_id
                     WHERE x.project_id = e.project_id ORDER BY i.experiment_id = e.id DESC LIMIT 1) AS Suggestion,
                   (SELECT o.id FROM outputs o JOIN model_runs r ON r.id = o.model_run_id JOIN iterations i ON i.id = r.iteration_id
                     WHERE i.experiment_id = e.id AND i.number = 1 ORDER BY o.id LIMIT 1) AS Output,
                   (SELECT r.id FROM model_runs r JOIN iterations i ON i.id = r.iteration_id WHERE i.experiment_id = e.id AND i.number = 1 LIMIT 1) AS ModelRun,
                   (SELECT id FROM prompt_versions WHERE experiment_id = e.id ORDER BY version DESC LIMIT 1) AS Version,
                   (SELECT id FROM datasets WHERE experiment_id = e.id LIMIT 1) AS Dataset,
                   (SELECT id FROM provider_credentials WHERE project_id = e.project_id LIMIT 1) AS Credential
            FROM experiments e WHERE e.name = @name
            """, new { name }, cancellationToken: cancellationToken));
        Assert.Equal(scoredCases, row.Scored ?? 0);
        var generationRun = await connection.ExecuteScalarAsync<Guid>(new CommandDefinition("""
            INSERT INTO generation_runs (id, project_id, request, requested, status) VALUES (gen_random_uuid(), @Project, '{}', 1, 'review')
            RETURNING id
            """, new { row.Project }, cancellationToken: cancellationToken));
        var ids = new Dictionary<string, Guid?>
        {
            ["generation-run"] = generationRun,
            ["project"] = row.Project, ["experiment"] = row.Experiment, ["iteration"] = row.Iteration, ["suggestion"] = row.Suggestion,
            ["output"] = row.Output, ["modelrun"] = row.ModelRun, ["version"] = row.Version, ["dataset"] = row.Dataset, ["credential"] = row.Credential,
        };
        var missing = ids.Where(kv => kv.Value is null && kv.Key != "suggestion").Select(kv => kv.Key).ToList();
        Assert.True(missing.Count == 0, $"The seeded experiment has no {string.Join(", ", missing)}.");
        return ids.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!.Value);
    }

    [GeneratedRegex(@"\bNaN\b|Infinity|∞")]
    private static partial Regex Forbidden();

    private sealed record SeedRow(Guid Experiment, Guid Project, Guid? Iteration, int? Scored, Guid? Suggestion, Guid? Output, Guid? ModelRun,
        Guid? Version, Guid? Dataset, Guid? Credential);
}

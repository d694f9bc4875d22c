using System.Text.RegularExpressions;
using Dapper;
using Edison.EndToEndTests.LoopPages;
using Microsoft.Playwright;
using Npgsql;

namespace Edison.EndToEndTests.Pages;

/// <summary>
/// Every routable page of the compiled web app, filled with a seeded experiment (an iteration with judgments, a pending
/// suggestion, two prompt versions), passes axe in light and dark mode under the app's Content-Security-Policy. A page the test
/// cannot fill or reach fails it; the few pages that only redirect or answer 404 in this state are named with the reason.
/// </summary>
[Collection(EdisonAppGroup.Name)]
public sealed partial class EveryPageAccessibilityTests(EdisonAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    // Pages a signed-in owner of a set-up instance cannot see as pages, and what they answer instead.
    internal static readonly Dictionary<string, (int Status, string? Location, string Why)> NotPagesHere = new(StringComparer.Ordinal)
    {
        ["/Setup"] = (404, null, "exists only before setup; SecurityJourneyTests runs axe on it on a fresh instance"),
        ["/Account/SignOut"] = (302, "/Account/ChangePassword", "signing out is a POST; its GET sends a person to their account page"),
    };

    // Pages for people who are not signed in: seen anonymously, as they are used.
    internal static readonly HashSet<string> AnonymousPages = new(StringComparer.Ordinal) { "/Account/SignIn", "/Account/SignUp", "/Account/Invitation" };

    // A bare {id} takes its kind from the page folder, as the app's RouteResources does.
    private static readonly Dictionary<string, string> FolderKinds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Projects"] = "project", ["Experiments"] = "experiment", ["Iterations"] = "iteration", ["Reviews"] = "suggestion",
        ["Suggestions"] = "suggestion", ["Outputs"] = "output", ["Versions"] = "version", ["Datasets"] = "dataset", ["Credentials"] = "credential",
        ["Generation"] = "generation-run",
    };

    private static readonly Dictionary<string, string> NamedKinds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["projectId"] = "project", ["experimentId"] = "experiment", ["iterationId"] = "iteration", ["suggestionId"] = "suggestion",
        ["outputId"] = "output", ["modelRunId"] = "modelrun", ["versionId"] = "version", ["promptVersionId"] = "version",
        ["datasetId"] = "dataset", ["credentialId"] = "credential", ["generationRunId"] = "generation-run",
    };

    [Fact]
    public async Task EveryRoutablePage_WithSeededData_HasNoSeriousAxeViolationsInLightOrDarkAndNoCspMessage()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var routes = WebPageRoutes.All();
        Assert.True(routes.Count >= 15, $"Only {routes.Count} pages were found in Edison.Web.dll.");

        var tenant = LoopScript.Apply(app.Simulator.CreateTenant(), TimeSpan.FromMilliseconds(30));
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.WebUrl.ToString() });
        await app.SignInOwnerAsync(context);
        await using var anonymous = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.WebUrl.ToString() });
        var name = $"Every page {Guid.NewGuid():N}"[..20];
        var ids = await SeedAsync(await context.NewPageAsync(), tenant.ApiKey, name, cts.Token);

        var failures = new List<string>();
        var visited = 0;
        foreach (var route in routes)
        {
            var (url, unfilled) = Fill(route, ids);
            if (unfilled is not null)
            {
                failures.Add($"{route.Identifier}: no seeded value for route parameter '{unfilled}' — teach this test how to seed it.");
                continue;
            }

            var page = await (AnonymousPages.Contains(route.Template) ? anonymous : context).NewPageAsync();
            var problems = BrowserChecks.WatchProblems(page);
            try
            {
                if (NotPagesHere.TryGetValue(route.Template, out var expected))
                {
                    using var client = app.CreateWebClient();
                    using var answer = await client.GetAsync(url, cts.Token);
                    if ((int)answer.StatusCode != expected.Status || (expected.Location is not null && answer.Headers.Location?.OriginalString != expected.Location))
                    {
                        failures.Add($"{url}: expected {expected.Status} {expected.Location} ({expected.Why}), got {(int)answer.StatusCode} {answer.Headers.Location}");
                    }

                    continue;
                }

                var response = await page.GotoAsync(url);
                if (response is null || response.Status != 200 || new Uri(page.Url).AbsolutePath != url.Split('?')[0])
                {
                    failures.Add($"{url}: could not be reached ({response?.Status}, ended at {page.Url}).");
                    continue;
                }

                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
                {
                    await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = scheme });
                    failures.AddRange((await BrowserChecks.SeriousViolationsAsync(page)).Select(v => $"{url} ({scheme}): {v}"));
                    await page.ScreenshotAsync(new PageScreenshotOptions
                    {
                        Path = Path.Combine(BrowserChecks.ScreenshotDirectory, $"page{Slug().Replace(route.ViewEnginePath, "-").ToLowerInvariant()}-{scheme.ToString().ToLowerInvariant()}.png"),
                        FullPage = true,
                    });
                }

                visited++;
                failures.AddRange(problems.Select(p => $"{url}: {p}"));
            }
            finally
            {
                await page.CloseAsync();
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} problem(s) across {routes.Count} pages:\n{string.Join("\n", failures)}");
        Assert.Equal(routes.Count - NotPagesHere.Count, visited);
    }

    // An experiment whose first iteration ran and was judged, whose suggestion was approved (v2), and whose second iteration
    // waits on a pending suggestion: every kind of page has something real to show.
    private async Task<Dictionary<string, Guid>> SeedAsync(IPage page, string apiKey, string name, CancellationToken cancellationToken)
    {
        await BrowserChecks.CreateExperimentAsync(page, app, apiKey, name, LoopScript.RefinerModel);
        await page.GetByRole(AriaRole.Button, new() { Name = "Run an iteration" }).ClickAsync();
        await Assertions.Expect(page.Locator("#review-link")).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await page.Locator("#review-link").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Iteration 2", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#review-link")).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await page.CloseAsync();

        await using var connection = new NpgsqlConnection(app.DatabaseConnectionString);
        var row = await connection.QuerySingleAsync<SeedRow>(new CommandDefinition("""
            SELECT e.id AS Experiment, e.project_id AS Project,
                   (SELECT id FROM iterations WHERE experiment_id = e.id AND number = 1) AS Iteration,
                   (SELECT s.id FROM suggestions s JOIN iterations i ON i.id = s.iteration_id
                     WHERE i.experiment_id = e.id AND s.status = 'pending' LIMIT 1) AS Suggestion,
                   (SELECT o.id FROM outputs o JOIN model_runs r ON r.id = o.model_run_id JOIN iterations i ON i.id = r.iteration_id
                     WHERE i.experiment_id = e.id AND i.number = 1 ORDER BY o.id LIMIT 1) AS Output,
                   (SELECT r.id FROM model_runs r JOIN iterations i ON i.id = r.iteration_id WHERE i.experiment_id = e.id AND i.number = 1 LIMIT 1) AS ModelRun,
                   (SELECT id FROM prompt_versions WHERE experiment_id = e.id ORDER BY version DESC LIMIT 1) AS Version,
                   (SELECT id FROM datasets WHERE experiment_id = e.id LIMIT 1) AS Dataset,
                   (SELECT id FROM provider_credentials WHERE project_id = e.project_id LIMIT 1) AS Credential
            FROM experiments e WHERE e.name = @name
            """, new { name }, cancellationToken: cancellationToken));
        // A generation run waiting in review (the studio's run page); the generation journey makes one through the page.
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
        var missing = ids.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList();
        Assert.True(missing.Count == 0, $"The seeded experiment has no {string.Join(", ", missing)}.");
        return ids.ToDictionary(kv => kv.Key, kv => kv.Value!.Value);
    }

    // Fills a route template with the seeded resource of each parameter's kind; names the first parameter it cannot fill.
    internal static (string Url, string? Unfilled) Fill(WebPageRoute route, Dictionary<string, Guid> ids)
    {
        string? unfilled = null;
        var url = RouteParameter().Replace(route.Template, m =>
        {
            var (parameter, constraint, fallback, optional) = (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value);
            if (fallback.Length > 0)
            {
                return fallback[1..];
            }

            var kind = NamedKinds.TryGetValue(parameter, out var k) ? k
                : parameter.Equals("id", StringComparison.OrdinalIgnoreCase) && route.Folder is not null && FolderKinds.TryGetValue(route.Folder, out k) ? k
                : null;
            if (kind is not null && ids.TryGetValue(kind, out var id))
            {
                return id.ToString();
            }

            if (optional.Length > 0 && !constraint.Contains("guid", StringComparison.Ordinal))
            {
                return "";
            }

            unfilled ??= parameter;
            return "";
        });
        return (Regex.Replace(url, "/+$", "") is { Length: > 0 } trimmed ? trimmed : "/", unfilled);
    }

    [GeneratedRegex(@"\{\*{0,2}(\w+)((?::[^}=?]*)?)(=[^}]*)?(\??)\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex(@"[^A-Za-z0-9]+")]
    private static partial Regex Slug();

    private sealed record SeedRow(Guid Experiment, Guid Project, Guid? Iteration, Guid? Suggestion, Guid? Output, Guid? ModelRun, Guid? Version,
        Guid? Dataset, Guid? Credential);
}

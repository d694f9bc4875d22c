using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Edison.EndToEndTests;

/// A person creates an experiment, runs an iteration and watches it complete, in a real browser under the app's CSP.
[Collection(EdisonAppGroup.Name)]
public sealed class SkeletonJourneyTests(EdisonAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private static readonly string ScreenshotDirectory = Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public async Task Journey_CreateExperimentAndRunIteration_ShowsLiveProgressThenScores()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        // Slow enough that the page is seen mid-run, fast enough for CI.
        var tenant = SkeletonScript.Apply(app.Simulator.CreateTenant(), TimeSpan.FromMilliseconds(700));
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.WebUrl.ToString() });
        await app.SignInOwnerAsync(context);
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || message.Type == "error")
            {
                problems.Add($"{message.Type}: {message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => problems.Add($"page error: {error}");

        await page.GotoAsync("/");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Experiments", Exact = true })).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "experiments");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "New experiment" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New experiment" })).ToBeVisibleAsync();
        // The one-page form for one model on an OpenAI-compatible endpoint; the wizard has journeys of its own.
        await page.GetByRole(AriaRole.Link, new() { Name = "Quick form" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Quick experiment" })).ToBeVisibleAsync();
        // Submitting an empty goal explains itself beside the field and keeps what was typed.
        await page.Locator("#name").FillAsync("Journey experiment");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create experiment" }).ClickAsync();
        await Assertions.Expect(page.Locator("#goal-errors")).ToContainTextAsync("Say what the prompt must achieve");
        await Assertions.Expect(page.Locator("#name")).ToHaveValueAsync("Journey experiment");
        await AssertAccessibleAsync(page, "new-experiment-errors");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "new-experiment-errors.png"), FullPage = true });

        await page.Locator("#goal").FillAsync("Answer support questions helpfully.");
        await page.Locator("#criterion").FillAsync(SkeletonScript.Criterion);
        await page.Locator("#criterion-description").FillAsync("Answers the question and gives a next step.");
        await page.Locator("#template").FillAsync(SkeletonScript.Template);
        await page.Locator("#cases").FillAsync(SkeletonScript.CasesJsonl);
        await page.Locator("#base-url").FillAsync(app.Simulator.OpenAIBaseUrl.ToString());
        await page.Locator("#api-key").FillAsync(tenant.ApiKey);
        await page.Locator("#model").FillAsync("gpt-4o-mini");
        await page.Locator("#judge-model").FillAsync("gpt-4o");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create experiment" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Journey experiment" })).ToBeVisibleAsync();
        Assert.DoesNotContain(tenant.ApiKey, await page.ContentAsync(), StringComparison.Ordinal);
        // The cost of the run is stated before it is started.
        await Assertions.Expect(page.Locator("#run-estimate")).ToContainTextAsync("This run will cost about $");
        await AssertAccessibleAsync(page, "experiment");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "experiment.png"), FullPage = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Run an iteration" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Iteration 1" })).ToBeVisibleAsync();
        // A marker on window survives only if the page updates in place (htmx over SSE), not by reloading.
        await page.EvaluateAsync("() => { window.edisonMarker = 'same-page'; }");
        await Assertions.Expect(page.Locator("#iteration-status")).Not.ToHaveTextAsync("completed");
        await Assertions.Expect(page.Locator("#outputs-count")).ToHaveTextAsync($"{SkeletonScript.CaseCount} / {SkeletonScript.CaseCount}",
            new() { Timeout = 60_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "iteration-running.png"), FullPage = true });

        await Assertions.Expect(page.Locator("#iteration-status")).ToHaveTextAsync("completed", new() { Timeout = 60_000 });
        Assert.Equal("same-page", await page.EvaluateAsync<string>("() => window.edisonMarker"));
        await Assertions.Expect(page.Locator("#mean-score")).ToContainTextAsync("4.00");
        var scores = await page.Locator("#results tbody td.score").AllInnerTextsAsync();
        Assert.Equal(SkeletonScript.CaseCount, scores.Count);
        Assert.All(scores, s => Assert.Equal("4", s.Trim()));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "iteration-completed.png"), FullPage = true });
        await AssertAccessibleAsync(page, "iteration");

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#iteration-status")).ToHaveTextAsync("completed");
        Assert.Empty(problems);
    }

    private static async Task AssertAccessibleAsync(IPage page, string name)
    {
        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} — {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")
            .ToList();
        Assert.True(serious.Count == 0, $"Accessibility violations on {name}:\n{string.Join("\n", serious)}");
    }
}

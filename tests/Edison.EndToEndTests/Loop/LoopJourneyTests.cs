using Microsoft.Playwright;

namespace Edison.EndToEndTests.LoopPages;

/// <summary>
/// A person creates an experiment with a refiner, starts it from the overview, watches it run, opens an answer's judgments,
/// reviews the refiner's suggestion and approves it with the keyboard, and sees iteration 2 start from v2; then pauses,
/// resumes and cancels it from the overview. Every page passes axe in light and dark mode under the app's CSP.
/// </summary>
[Collection(EdisonAppGroup.Name)]
public sealed class LoopJourneyTests(EdisonAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task Journey_StartWatchJudgmentsApproveSuggestion_SecondIterationRunsFromV2()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        var tenant = LoopScript.Apply(app.Simulator.CreateTenant(), TimeSpan.FromMilliseconds(300));
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.WebUrl.ToString() });
        await app.SignInOwnerAsync(context);
        var page = await context.NewPageAsync();
        var problems = BrowserChecks.WatchProblems(page);

        var name = $"Loop journey {Guid.NewGuid():N}"[..22];
        await BrowserChecks.CreateExperimentAsync(page, app, tenant.ApiKey, name, LoopScript.RefinerModel);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Nothing has run yet" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#lineage")).ToContainTextAsync("Seed prompt");
        await BrowserChecks.AssertAccessibleAsync(page, "overview-empty");

        // Start through htmx: the indicator shows, then the iteration page replaces the overview.
        await page.GetByRole(AriaRole.Button, new() { Name = "Run an iteration" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Iteration 1", Level = 1 })).ToBeVisibleAsync();
        await page.EvaluateAsync("() => { window.edisonMarker = 'same-page'; }");
        await Assertions.Expect(page.Locator("#outputs-count")).ToHaveTextAsync($"{LoopScript.CaseCount} / {LoopScript.CaseCount}",
            new() { Timeout = 60_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserChecks.ScreenshotDirectory, "loop-iteration-running.png"), FullPage = true });

        // The refiner's suggestion appears by itself when the iteration waits for review.
        await Assertions.Expect(page.Locator("#review-link")).ToBeVisibleAsync(new() { Timeout = 90_000 });
        Assert.Equal("same-page", await page.EvaluateAsync<string>("() => window.edisonMarker"));
        await Assertions.Expect(page.Locator("#mean-score")).ToContainTextAsync("3.00");
        await Assertions.Expect(page.Locator("#results tbody tr")).ToHaveCountAsync(LoopScript.CaseCount);
        await BrowserChecks.AssertAccessibleAsync(page, "iteration-reviewing");

        // Filters are GETs with the state in the URL.
        await page.Locator("#filter-tag").SelectOptionAsync("billing");
        await Assertions.Expect(page.Locator("#results tbody tr")).ToHaveCountAsync(2);
        Assert.Contains("tag=billing", page.Url, StringComparison.Ordinal);
        await page.Locator("#filter-criterion").SelectOptionAsync(LoopScript.Criterion);
        await page.Locator("#filter-below").FillAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await Assertions.Expect(page.Locator("#results-count")).ToContainTextAsync("0 rows match");
        await page.GotoAsync(page.Url);
        await Assertions.Expect(page.Locator("#filter-tag")).ToHaveValueAsync("billing");
        await page.GetByRole(AriaRole.Link, new() { Name = "Clear" }).ClickAsync();

        // One answer's judgments: the judge's reasoning, scores, rationale and suggestions.
        await page.Locator("#results tbody tr").First.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Judgments" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".reasoning").First).ToHaveTextAsync("Judged on whether the answer gives a next step.");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Ask the model to end with a next step.");
        await BrowserChecks.AssertAccessibleAsync(page, "output-judgments");
        await page.GoBackAsync();

        // The suggestion: diff, note, hypotheses, steps; the queue lists it.
        await page.GotoAsync("/Reviews");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(name);
        await BrowserChecks.AssertAccessibleAsync(page, "review-queue");
        await page.GetByRole(AriaRole.Link, new() { Name = "Change to v1" }).First.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Review the refiner's change to v1" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".diff-add").Filter(new() { HasText = LoopScript.Instruction })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#suggestion-note")).ToContainTextAsync(LoopScript.Instruction);
        await BrowserChecks.AssertAccessibleAsync(page, "suggestion");

        // Approve with the keyboard shortcut; iteration 2 starts from v2.
        await page.Locator("body").PressAsync("a");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Iteration 2", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".page-head .badge")).ToHaveTextAsync("prompt v2");

        // The overview: lineage v1 → v2 approved by a reviewer, pause, resume and cancel iteration 2.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" }).GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
        await Assertions.Expect(page.Locator("#lineage")).ToContainTextAsync("Approved by");
        await Assertions.Expect(page.Locator("#iterations tbody tr")).ToHaveCountAsync(2);
        await page.GetByRole(AriaRole.Button, new() { Name = "Pause iteration 2" }).ClickAsync();
        await Assertions.Expect(page.Locator("#experiment-actions")).ToContainTextAsync("Paused");
        await page.GetByRole(AriaRole.Button, new() { Name = "Resume iteration 2" }).ClickAsync();
        await Assertions.Expect(page.Locator("#experiment-actions")).ToContainTextAsync("Resumed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel iteration 2" }).ClickAsync();
        await Assertions.Expect(page.Locator("#experiment-actions")).ToContainTextAsync("Cancelled");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#stop-reason")).ToContainTextAsync("Cancelled by a person");
        await Assertions.Expect(page.Locator("svg.score-chart circle")).ToHaveCountAsync(1);
        await BrowserChecks.AssertAccessibleAsync(page, "overview");

        // Versions: the diff of v1 → v2 shows the refiner's line; restore v1 as v3; move the production label; copy a prompt.
        await page.Locator("#versions-link").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Prompt versions", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#version-diff .diff-add").Filter(new() { HasText = LoopScript.Instruction })).ToHaveCountAsync(1);
        await BrowserChecks.AssertAccessibleAsync(page, "versions");
        await page.GetByRole(AriaRole.Button, new() { Name = "Restore v1 as a new version" }).ClickAsync();
        await Assertions.Expect(page.Locator("#versions-message")).ToHaveTextAsync("Restored as v3; the next iteration runs it.");
        await Assertions.Expect(page.Locator("#version-3")).ToContainTextAsync("Restored from v1");
        await page.Locator("#diff-from").SelectOptionAsync("2");
        await page.Locator("#diff-to").SelectOptionAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the diff" }).ClickAsync();
        await Assertions.Expect(page.Locator("#version-diff .diff-remove").Filter(new() { HasText = LoopScript.Instruction })).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Button, new() { Name = "Set v2 as production" }).ClickAsync();
        await Assertions.Expect(page.Locator("#version-2 .label-production")).ToHaveTextAsync("production");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Set v2 as production" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy prompt of v2" }).ClickAsync();
        await Assertions.Expect(page.Locator("#copy-status")).ToContainTextAsync("v2");

        Assert.Empty(problems);
    }
}

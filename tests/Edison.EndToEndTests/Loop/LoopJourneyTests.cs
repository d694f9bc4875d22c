using Microsoft.Playwright;

namespace Edison.EndToEndTests.LoopPages;

/// <summary>
/// A person creates an experiment with a refiner, starts it from the overview, watches it run, opens an answer's judgments,
/// reviews the refiner's suggestion and approves it with the keyboard, and sees iteration 2 start from v2 and the approval in
/// the lineage. Every page passes axe in light and dark mode under the app's CSP.
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
        // The queue lists every experiment's pending suggestions (other journeys share this app): open this experiment's one.
        await page.Locator("section.card").Filter(new() { HasText = name }).GetByRole(AriaRole.Link, new() { Name = "Change to v1" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Review the refiner's change to v1" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".diff-add").Filter(new() { HasText = LoopScript.Instruction })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#suggestion-note")).ToContainTextAsync(LoopScript.Instruction);
        await BrowserChecks.AssertAccessibleAsync(page, "suggestion");

        // Approve with the keyboard shortcut; iteration 2 starts from v2.
        await page.Locator("body").PressAsync("a");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Iteration 2", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".page-head .badge")).ToHaveTextAsync("prompt v2");

        // The overview: lineage v1 → v2 approved by a reviewer. Pausing and the versions page have journeys of their own.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" }).GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
        await Assertions.Expect(page.Locator("#lineage")).ToContainTextAsync("Approved by");
        await Assertions.Expect(page.Locator("#iterations tbody tr")).ToHaveCountAsync(2);
        await BrowserChecks.AssertAccessibleAsync(page, "overview");

        Assert.Empty(problems);
    }
}

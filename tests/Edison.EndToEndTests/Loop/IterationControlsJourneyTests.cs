using Microsoft.Playwright;

namespace Edison.EndToEndTests.LoopPages;

/// <summary>
/// A person runs an experiment once, runs it again, and pauses, resumes and cancels the second iteration from the overview.
/// Each control is an htmx swap that replaces the button that had focus: focus moves to the result it announces, and the
/// page's live region says it. The cancelled iteration stays out of the chart and the overview says why the loop stopped.
/// </summary>
[Collection(EdisonAppGroup.Name)]
public sealed class IterationControlsJourneyTests(EdisonAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private const string FocusedText = "() => document.activeElement ? document.activeElement.textContent : ''";

    [Fact]
    public async Task Journey_PauseResumeCancelIteration_FocusFollowsEachResultAndTheLoopSaysWhyItStopped()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(300));
        // Slow enough answers that the second iteration is still running when the person reaches its controls.
        var tenant = LoopScript.Apply(app.Simulator.CreateTenant(), TimeSpan.FromSeconds(2));
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.WebUrl.ToString() });
        await app.SignInOwnerAsync(context);
        var page = await context.NewPageAsync();
        var problems = BrowserChecks.WatchProblems(page);

        var name = $"Controls {Guid.NewGuid():N}"[..18];
        await BrowserChecks.CreateExperimentAsync(page, app, tenant.ApiKey, name, refinerModel: null);
        var overviewUrl = page.Url;
        // The controls act on the first iteration while its slow answers are still coming: a second run of the same version
        // would replay cached answers and could end before a person reaches the buttons.
        await page.GetByRole(AriaRole.Button, new() { Name = "Run an iteration" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Iteration 1", Level = 1 })).ToBeVisibleAsync();
        await page.GotoAsync(overviewUrl);

        await page.GetByRole(AriaRole.Button, new() { Name = "Pause iteration 1" }).ClickAsync();
        await Assertions.Expect(page.Locator("#experiment-actions")).ToContainTextAsync("Paused");
        await AssertFocusAndAnnouncementAsync(page, "Paused");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserChecks.ScreenshotDirectory, "controls-paused.png"), FullPage = true });
        await BrowserChecks.AssertAccessibleAsync(page, "overview-paused");

        await page.GetByRole(AriaRole.Button, new() { Name = "Resume iteration 1" }).ClickAsync();
        await Assertions.Expect(page.Locator("#experiment-actions")).ToContainTextAsync("Resumed");
        await AssertFocusAndAnnouncementAsync(page, "Resumed");

        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel iteration 1" }).ClickAsync();
        await Assertions.Expect(page.Locator("#experiment-actions")).ToContainTextAsync("Cancelled");
        await AssertFocusAndAnnouncementAsync(page, "Cancelled");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Run again" })).ToBeVisibleAsync();

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#stop-reason")).ToContainTextAsync("Cancelled by a person");
        await Assertions.Expect(page.Locator("svg.score-chart circle")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#iterations tbody tr")).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserChecks.ScreenshotDirectory, "controls-cancelled.png"), FullPage = true });
        await BrowserChecks.AssertAccessibleAsync(page, "overview-cancelled");

        // Run again to the end; a filter applied with its button keeps focus on the button and announces how many rows match.
        await page.GetByRole(AriaRole.Button, new() { Name = "Run again" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Iteration 2", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#iteration-status")).ToHaveTextAsync("completed", new() { Timeout = 150_000 });
        await page.Locator("#filter-tag").SelectOptionAsync("billing");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await Assertions.Expect(page.Locator("#live-region")).ToContainTextAsync("2 rows match");

        Assert.Empty(problems);
    }

    // The swap replaced the focused button: once htmx settles, focus is on the message the swap brought (document.activeElement),
    // and the live region reads it out.
    private static async Task AssertFocusAndAnnouncementAsync(IPage page, string words)
    {
        await Assertions.Expect(page.Locator("#experiment-actions .alert")).ToBeFocusedAsync();
        Assert.Contains(words, await page.EvaluateAsync<string>(FocusedText), StringComparison.Ordinal);
        Assert.Equal("P", await page.EvaluateAsync<string>("() => document.activeElement.tagName"));
        await Assertions.Expect(page.Locator("#live-region")).ToContainTextAsync(words);
    }
}

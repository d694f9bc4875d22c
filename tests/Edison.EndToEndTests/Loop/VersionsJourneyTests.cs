using Microsoft.Playwright;

namespace Edison.EndToEndTests.LoopPages;

/// <summary>
/// After the refiner's v2 is approved and run, a person compares one case's answers under v1 and v2 side by side with the
/// changed words marked, diffs the two versions unified and side by side, restores v1 as v3, moves the production label to
/// v2 and copies its prompt.
/// </summary>
[Collection(EdisonAppGroup.Name)]
public sealed class VersionsJourneyTests(EdisonAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task Journey_DiffTwoVersionsRestoreOneSetProduction_EachStepShownInWords()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        var tenant = LoopScript.Apply(app.Simulator.CreateTenant(), TimeSpan.FromMilliseconds(50));
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.WebUrl.ToString() });
        await app.SignInOwnerAsync(context);
        var page = await context.NewPageAsync();
        var problems = BrowserChecks.WatchProblems(page);

        var name = $"Versions {Guid.NewGuid():N}"[..18];
        await BrowserChecks.CreateExperimentAsync(page, app, tenant.ApiKey, name, LoopScript.RefinerModel);
        await page.GetByRole(AriaRole.Button, new() { Name = "Run an iteration" }).ClickAsync();
        await Assertions.Expect(page.Locator("#review-link")).ToBeVisibleAsync(new() { Timeout = 120_000 });
        var firstIteration = page.Url;
        await page.Locator("#review-link").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Iteration 2", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#outputs-count")).ToHaveTextAsync($"{LoopScript.CaseCount} / {LoopScript.CaseCount}", new() { Timeout = 90_000 });

        // One case under v1 beside the same case under v2: the words v2's prompt added to the answer are marked as inserted.
        await page.GotoAsync(firstIteration);
        await page.Locator("#results tbody tr").First.GetByRole(AriaRole.Link).ClickAsync();
        await page.Locator("#compare-with").SelectOptionAsync(new SelectOptionValue { Label = "iteration 2 (v2) · gpt-4o-mini" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Show side by side" }).ClickAsync();
        await Assertions.Expect(page.Locator("#compare-left")).ToHaveTextAsync("Here is how.");
        await Assertions.Expect(page.Locator("#compare-right ins.word-add")).ToHaveTextAsync("[added:  Next step: open Settings.]");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserChecks.ScreenshotDirectory, "versions-output-side-by-side.png"), FullPage = true });
        await BrowserChecks.AssertAccessibleAsync(page, "output-compare");

        // The versions page: v1 → v2 unified, then side by side.
        await page.GotoAsync(firstIteration);
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" }).GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
        await page.Locator("#versions-link").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Prompt versions", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#version-diff .diff-add").Filter(new() { HasText = LoopScript.Instruction })).ToHaveCountAsync(1);
        await page.Locator("#diff-split-link").ClickAsync();
        await Assertions.Expect(page.Locator("#version-diff ins.word-add").Filter(new() { HasText = LoopScript.Instruction })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#version-diff del")).ToHaveCountAsync(0);
        await BrowserChecks.AssertAccessibleAsync(page, "versions-split");

        // Restore v1 as v3; v2 → v3 takes the instruction out again, in both layouts.
        await page.GetByRole(AriaRole.Button, new() { Name = "Restore v1 as a new version" }).ClickAsync();
        await Assertions.Expect(page.Locator("#versions-message")).ToHaveTextAsync("Restored as v3; the next iteration runs it.");
        await Assertions.Expect(page.Locator("#version-3")).ToContainTextAsync("Restored from v1");
        await page.Locator("#diff-from").SelectOptionAsync("2");
        await page.Locator("#diff-to").SelectOptionAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the diff" }).ClickAsync();
        await Assertions.Expect(page.Locator("#version-diff .diff-remove").Filter(new() { HasText = LoopScript.Instruction })).ToHaveCountAsync(1);
        await page.Locator("#diff-split-link").ClickAsync();
        await Assertions.Expect(page.Locator("#version-diff del.word-remove").Filter(new() { HasText = LoopScript.Instruction })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#diff-from")).ToHaveValueAsync("2");

        // Production moves to v2, and its prompt is copied in one click.
        await page.GetByRole(AriaRole.Button, new() { Name = "Set v2 as production" }).ClickAsync();
        await Assertions.Expect(page.Locator("#version-2 .label-production")).ToHaveTextAsync("production");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Set v2 as production" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy prompt of v2" }).ClickAsync();
        await Assertions.Expect(page.Locator("#copy-status")).ToContainTextAsync("v2");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserChecks.ScreenshotDirectory, "versions-production.png"), FullPage = true });
        await BrowserChecks.AssertAccessibleAsync(page, "versions");

        Assert.Empty(problems);
    }
}

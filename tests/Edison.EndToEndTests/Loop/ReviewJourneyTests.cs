using Microsoft.Playwright;

namespace Edison.EndToEndTests.LoopPages;

/// <summary>
/// A reviewer rejects the refiner's suggestion with a note; the refiner tries again and its next suggestion quotes the note,
/// which the simulated refiner does only when the note reached its request. The diff can be read unified or side by side.
/// </summary>
[Collection(EdisonAppGroup.Name)]
public sealed class ReviewJourneyTests(EdisonAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private const string RejectNote = "Keep the answer under two sentences and name the settings page.";

    [Fact]
    public async Task Journey_RejectSuggestionWithNote_NextSuggestionReflectsTheNote()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        var tenant = LoopScript.Apply(app.Simulator.CreateTenant(), TimeSpan.FromMilliseconds(50));
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.WebUrl.ToString() });
        await app.SignInOwnerAsync(context);
        var page = await context.NewPageAsync();
        var problems = BrowserChecks.WatchProblems(page);

        await BrowserChecks.CreateExperimentAsync(page, app, tenant.ApiKey, $"Review {Guid.NewGuid():N}"[..16], LoopScript.RefinerModel);
        await page.GetByRole(AriaRole.Button, new() { Name = "Run an iteration" }).ClickAsync();
        await Assertions.Expect(page.Locator("#review-link")).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await page.Locator("#review-link").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Review the refiner's change to v1" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#suggestion-note")).ToHaveTextAsync($"Added \"{LoopScript.Instruction}\" to the template.");

        // Side by side: the added instruction is marked as inserted, with words for screen readers.
        await page.Locator("#diff-split-link").ClickAsync();
        await Assertions.Expect(page.Locator("ins.word-add").Filter(new() { HasText = LoopScript.Instruction })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("ins.word-add .visually-hidden").First).ToHaveTextAsync("[added: ");
        await BrowserChecks.AssertAccessibleAsync(page, "suggestion-split");
        await page.Locator("#diff-unified-link").ClickAsync();
        await Assertions.Expect(page.Locator(".diff-add").Filter(new() { HasText = LoopScript.Instruction })).ToHaveCountAsync(1);

        await page.Locator("#reject-note").FillAsync(RejectNote);
        await page.GetByRole(AriaRole.Button, new() { Name = "Reject", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Iteration 1", Level = 1 })).ToBeVisibleAsync();

        // The refiner's second attempt appears by itself and quotes the reviewer.
        await Assertions.Expect(page.Locator("#review-link")).ToBeVisibleAsync(new() { Timeout = 90_000 });
        await page.Locator("#review-link").ClickAsync();
        await Assertions.Expect(page.Locator("#suggestion-note")).ToContainTextAsync($"as the reviewer asked: \"{RejectNote}\"");
        await Assertions.Expect(page.Locator(".review-side .facts dd").Last).ToHaveTextAsync("2");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserChecks.ScreenshotDirectory, "review-second-attempt.png"), FullPage = true });
        await BrowserChecks.AssertAccessibleAsync(page, "suggestion-second-attempt");

        Assert.Empty(problems);
    }
}

using System.Text.Json;
using Microsoft.Playwright;

namespace Edison.EndToEndTests.LoopPages;

/// <summary>An answer or a stored case that carries markup is shown as text on every page that shows it, and runs nothing.</summary>
[Collection(EdisonAppGroup.Name)]
public sealed class XssTests(EdisonAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private const string Payload = "<script>alert('xss')</script><img src=x onerror=\"alert('img')\">";
    private const string CasePayload = "<script>alert('case')</script><img src=x onerror=\"alert('case-img')\">";

    [Fact]
    public async Task Xss_OutputWithScriptAndImgOnerror_IsShownAsTextAndRunsNothing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var tenant = LoopScript.Apply(app.Simulator.CreateTenant(), TimeSpan.FromMilliseconds(50), Payload);
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.WebUrl.ToString() });
        await app.SignInOwnerAsync(context);
        var page = await context.NewPageAsync();
        var problems = BrowserChecks.WatchProblems(page);

        await BrowserChecks.CreateExperimentAsync(page, app, tenant.ApiKey, $"Xss {Guid.NewGuid():N}"[..12], refinerModel: null);
        await page.GetByRole(AriaRole.Button, new() { Name = "Run an iteration" }).ClickAsync();
        await Assertions.Expect(page.Locator("#iteration-status")).ToHaveTextAsync("completed", new() { Timeout = 90_000 });
        await Assertions.Expect(page.Locator("#results tbody tr")).ToHaveCountAsync(LoopScript.CaseCount);

        await Assertions.Expect(page.Locator("#results pre.cell").First).ToHaveTextAsync(Payload);
        Assert.Equal(0, await page.Locator("#results img").CountAsync());
        Assert.Equal(0, await page.Locator("main script").CountAsync());

        await page.Locator("#results tbody tr").First.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page.Locator("#output-text")).ToHaveTextAsync(Payload);
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserChecks.ScreenshotDirectory, "loop-xss-output.png"), FullPage = true });

        Assert.Empty(problems);
    }

    [Fact]
    public async Task Xss_CaseVariableWithScriptAndImgOnerror_IsShownAsTextOnGridOutputAndRatingPagesAndRunsNothing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var tenant = LoopScript.Apply(app.Simulator.CreateTenant(), TimeSpan.FromMilliseconds(50));
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.WebUrl.ToString() });
        await app.SignInOwnerAsync(context);
        var page = await context.NewPageAsync();
        var problems = BrowserChecks.WatchProblems(page);
        var cases = $$$"""
            {"input": {"question": {{{JsonSerializer.Serialize(CasePayload)}}}}}
            {"input": {"question": "Do you have an API?"}}
            """;

        await BrowserChecks.CreateExperimentAsync(page, app, tenant.ApiKey, $"XssCase {Guid.NewGuid():N}"[..16], refinerModel: null, cases);
        await page.GetByRole(AriaRole.Button, new() { Name = "Run an iteration" }).ClickAsync();
        await Assertions.Expect(page.Locator("#iteration-status")).ToHaveTextAsync("completed", new() { Timeout = 90_000 });
        var iterationUrl = page.Url;

        // The iteration grid: the stored value is the cell's text, and no element it spells exists (the pages' own scripts all have a src).
        await Assertions.Expect(CaseValue(page)).ToHaveTextAsync(CasePayload);
        Assert.Equal(0, await page.Locator("#results img").CountAsync());
        Assert.Equal(0, await page.Locator("main script:not([src])").CountAsync());

        // The output detail page of that case.
        await page.Locator("#results tbody tr").Filter(new() { HasText = "<script>alert('case')" }).GetByRole(AriaRole.Link).First.ClickAsync();
        await Assertions.Expect(CaseValue(page)).ToHaveTextAsync(CasePayload);
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        Assert.Equal(0, await page.Locator("main script:not([src])").CountAsync());

        // The rating page, answer by answer until the case shows.
        await page.GotoAsync(iterationUrl);
        await page.GetByRole(AriaRole.Link, new() { Name = "Rate answers yourself" }).ClickAsync();
        await Assertions.Expect(page.Locator("#rating-shortcuts")).ToContainTextAsync("Answer 1 of 2");
        if (await CaseValue(page).CountAsync() == 0)
        {
            await page.Keyboard.PressAsync("n");
            await Assertions.Expect(page.Locator("#rating-shortcuts")).ToContainTextAsync("Answer 2 of 2");
        }

        await Assertions.Expect(CaseValue(page)).ToHaveTextAsync(CasePayload);
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        Assert.Equal(0, await page.Locator("main script:not([src])").CountAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserChecks.ScreenshotDirectory, "loop-xss-case-rating.png"), FullPage = true });

        Assert.Empty(problems);
    }

    // Matches only where the markup is text: as an element it would have no "<script>" text to find.
    private static ILocator CaseValue(IPage page) => page.Locator("main dl.vars dd").Filter(new() { HasText = "<script>alert('case')" });
}

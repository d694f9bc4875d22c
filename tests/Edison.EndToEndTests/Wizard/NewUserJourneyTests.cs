using System.Text.RegularExpressions;
using Edison.EndToEndTests.LoopPages;
using Microsoft.Playwright;

namespace Edison.EndToEndTests.Wizard;

/// <summary>
/// Issue 5's journey (a), in one go: a new user types a goal, lets "Draft the rest" fill every later step, goes through them to
/// the last one (Back keeps what was typed), creates the experiment and starts its run, watches the answers arrive on the
/// iteration page without reloading it, opens one answer's judgments, approves the refiner's suggestion and sees iteration 2
/// run prompt v2. Every page passes axe in light and dark mode under the app's CSP.
/// </summary>
[Collection(EdisonAppGroup.Name)]
public sealed class NewUserJourneyTests(EdisonAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task Journey_GoalDraftTheRestStartWatchJudgmentsApprove_SecondIterationRunsFromV2()
    {
        var answers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tenant = WizardScript.Apply(app.Simulator.CreateTenant(), answers.Task);
        var (page, problems, context) = await WizardScript.SignInAsync(app, chromium);
        await using var _ = context;
        try
        {
            await WizardScript.SetUpAssistAndStartOverAsync(page, app, tenant);
            var name = $"New user {Guid.NewGuid():N}"[..18];
            await page.GotoAsync("/");
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "New experiment" }).ClickAsync();
            await WizardScript.ExpectStepAsync(page, "Step 1 of 7: Objective");
            await page.Locator("#name").FillAsync(name);
            await page.Locator("#goal").FillAsync(WizardScript.Goal);
            await page.Locator("#draft-budget").FillAsync("2");
            await page.GetByRole(AriaRole.Button, new() { Name = "Draft the rest" }).ClickAsync();
            await Assertions.Expect(page.Locator("#draft-rest-panel .assist-status, #draft-rest-done").First).ToBeVisibleAsync(new() { Timeout = WizardScript.PageTimeout });
            await Assertions.Expect(page.Locator("#draft-rest-done")).ToContainTextAsync("Drafted.", new() { Timeout = WizardScript.RunTimeout });
            await BrowserChecks.AssertAccessibleAsync(page, "journey-objective-drafted");

            await page.GetByRole(AriaRole.Button, new() { Name = "Review the drafted rubric" }).ClickAsync();
            await WizardScript.ExpectStepAsync(page, "Step 2 of 7: Rubric");
            await Assertions.Expect(page.Locator("#criterion-0-name")).ToHaveValueAsync("Correctness");
            await Assertions.Expect(page.Locator("#criterion-1-label-4")).ToHaveValueAsync("warm");
            await BrowserChecks.AssertAccessibleAsync(page, "journey-rubric");
            await NextAsync(page, "Step 3 of 7: Seed prompt");
            await Assertions.Expect(page.Locator("#prompt-template")).ToHaveValueAsync(new Regex(Regex.Escape(LoopScript.Anchor) + ".*\\{\\{ question \\}\\}", RegexOptions.Singleline));
            await NextAsync(page, "Step 4 of 7: Test data");
            await Assertions.Expect(page.Locator("#cases-summary")).ToContainTextAsync($"{WizardScript.CaseCount} cases read");
            await NextAsync(page, "Step 5 of 7: Models");
            await Assertions.Expect(page.Locator("#model-0")).ToHaveValueAsync(WizardScript.Model);
            await NextAsync(page, "Step 6 of 7: Judges");
            await Assertions.Expect(page.Locator("#judge-0-model")).ToHaveValueAsync(WizardScript.Model);
            await Assertions.Expect(page.Locator("#judge-1-model")).ToHaveValueAsync(WizardScript.Model);
            // Drafted too (the assist model), so the loop goes on past iteration 1 without anyone typing a refiner.
            await Assertions.Expect(page.Locator("#refiner-model")).ToHaveValueAsync(WizardScript.Model);
            await NextAsync(page, "Step 7 of 7: Stop rules & budget");
            // The loop's budget is what drafting left of the $2.
            await Assertions.Expect(page.Locator("#budget")).ToHaveValueAsync(new Regex("^(1(\\.\\d+)?|2)$"));

            // Two iterations are enough to see v2 run; Back keeps what was typed on the step being left.
            await page.Locator("#max-iterations").FillAsync("2");
            await page.GetByRole(AriaRole.Button, new() { Name = "Back" }).ClickAsync();
            await WizardScript.ExpectStepAsync(page, "Step 6 of 7: Judges");
            await Assertions.Expect(page.Locator("#refiner-model")).ToHaveValueAsync(WizardScript.Model);
            await NextAsync(page, "Step 7 of 7: Stop rules & budget");
            await Assertions.Expect(page.Locator("#max-iterations")).ToHaveValueAsync("2");
            await NextAsync(page, "Review and create");
            await Assertions.Expect(page.Locator("#review-estimate")).ToContainTextAsync("This run will cost about $");
            await BrowserChecks.AssertAccessibleAsync(page, "journey-review");

            var eventStream = WizardScript.EventStreamOpensAsync(page);
            await page.GetByRole(AriaRole.Button, new() { Name = "Create and start the run" }).ClickAsync();
            await WizardScript.WatchAnswersArriveAsync(page, answers, eventStream, "journey");
            await WizardScript.ExpectSuggestionLinkAsync(page);
            await BrowserChecks.AssertAccessibleAsync(page, "journey-iteration-reviewing");

            await page.Locator("#results tbody tr").First.GetByRole(AriaRole.Link).ClickAsync();
            await WizardScript.ExpectJudgmentsAsync(page);
            await BrowserChecks.AssertAccessibleAsync(page, "journey-output-judgments");
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" }).GetByRole(AriaRole.Link, new() { Name = "Iteration 1" }).ClickAsync();

            // The iteration's own link, not the shared review queue (it holds other journeys' suggestions too).
            await page.Locator("#review-link").ClickAsync(new() { Timeout = WizardScript.PageTimeout });
            await WizardScript.ExpectSuggestionAsync(page, name);
            await BrowserChecks.AssertAccessibleAsync(page, "journey-suggestion");
            await page.Locator("#approve-button").ClickAsync();
            await WizardScript.ExpectSecondIterationFromV2Async(page, name);
            await WizardScript.ScreenshotAsync(page, "journey-iteration-2");

            await page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" }).GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
            await WizardScript.ExpectOverviewAsync(page, name);
            await BrowserChecks.AssertAccessibleAsync(page, "journey-overview");
            Assert.Empty(problems);
        }
        finally
        {
            // Never leave the simulator holding answers for a run whose test has ended.
            answers.TrySetResult();
        }
    }

    private static async Task NextAsync(IPage page, string heading)
    {
        await page.Locator("#wizard-next").ClickAsync();
        await WizardScript.ExpectStepAsync(page, heading);
    }
}

using System.Text.RegularExpressions;
using Edison.Core.Assist;
using Edison.EndToEndTests.LoopPages;
using Edison.Testing.Simulator;
using Microsoft.Playwright;

namespace Edison.EndToEndTests.Wizard;

/// <summary>
/// AI assist's Draft in the browser while the model is still writing: the options' text (not their JSON) appears in the
/// panel as it streams, and when the answer is complete the three options to pick from replace it, the first one focused
/// for the keyboard. The simulator holds the answer half-written until the test has seen the preview, so nothing is timed.
/// </summary>
[Collection(EdisonAppGroup.Name)]
public sealed class AssistPreviewJourneyTests(EdisonAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private static readonly string[] Options =
    [
        "Answer every billing question with the exact charge and one next step.",
        "Explain each charge kindly, then say what to open next.",
        "Name the charge, the reason and the page that fixes it.",
    ];

    [Fact]
    public async Task DraftGoal_OptionTextShownWhileTheModelWrites_ThenThreeOptionsToPickFromWithTheFirstFocused()
    {
        var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tenant = app.Simulator.CreateTenant().Otherwise(request => request.SchemaName == nameof(AssistOptionsAnswer)
            // Three chunks are '{"options":["Ans', 'wer ', 'every ': the first option's first words, then the model pauses.
            ? SimStep.HoldAfterChunks(3, rest.Task, SimStep.ReplyJson(new { options = Options }))
            : SimStep.Status(400));
        var (page, problems, context) = await WizardScript.SignInAsync(app, chromium);
        await using var _ = context;
        try
        {
            await WizardScript.SetUpAssistAndStartOverAsync(page, app, tenant);
            await page.Locator("#goal").FillAsync(WizardScript.Goal);
            await page.Locator("#assist-goal-draft").ClickAsync();

            var panel = page.Locator("#assist-goal");
            await Assertions.Expect(panel.Locator(".assist-stream")).ToHaveTextAsync(new Regex("^Answer every\\s*$"), new() { Timeout = WizardScript.PageTimeout });
            await Assertions.Expect(panel).ToHaveClassAsync(new Regex("\\bworking\\b"));
            await Assertions.Expect(panel).ToHaveAttributeAsync("aria-busy", "true");
            await Assertions.Expect(panel.GetByRole(AriaRole.Status)).ToContainTextAsync($"Drafting three options with {WizardScript.Model}");
            await WizardScript.ScreenshotAsync(page, "assist-draft-preview");

            rest.TrySetResult();
            await Assertions.Expect(page.Locator("#assist-goal-use-1")).ToBeFocusedAsync(new() { Timeout = WizardScript.PageTimeout });
            await Assertions.Expect(panel.Locator(".assist-stream")).ToHaveCountAsync(0);
            await Assertions.Expect(panel.Locator(".assist-option .assist-text")).ToHaveTextAsync(Options);
            await BrowserChecks.AssertAccessibleAsync(page, "assist-draft-options");

            // Playwright's screenshots leave an empty style attribute on the form's fields, and htmx's settle would copy it onto
            // the re-rendered step (same ids), which the CSP reports; the page itself never writes one.
            await page.EvaluateAsync("() => document.querySelectorAll('[style=\"\"]').forEach(e => e.removeAttribute('style'))");
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(page.Locator("#goal")).ToHaveValueAsync(Options[0], new() { Timeout = WizardScript.PageTimeout });
            Assert.Empty(problems);
        }
        finally
        {
            // Never leave the simulator holding an answer whose test has ended.
            rest.TrySetResult();
        }
    }
}

using Microsoft.Playwright;

namespace Edison.EndToEndTests.Wizard;

/// <summary>
/// Issue 5's journey (d): journey (a) (see <see cref="NewUserJourneyTests"/>) with the keyboard only, the admin's set-up of
/// the assist model included. After the address of the first page, every control is reached with Tab (asserted focused) and
/// used with Enter, typing or a list's type-ahead; no mouse API, no programmatic focus. Enter in a one-line box of the
/// wizard is Next.
/// </summary>
[Collection(EdisonAppGroup.Name)]
public sealed class KeyboardOnlyJourneyTests(EdisonAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task Journey_KeyboardOnly_GoalDraftTheRestStartWatchJudgmentsApprove_SecondIterationRunsFromV2()
    {
        var answers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tenant = WizardScript.Apply(app.Simulator.CreateTenant(), answers.Task);
        var (page, problems, context) = await WizardScript.SignInAsync(app, chromium);
        await using var _ = context;
        var keyboard = page.Keyboard;
        var main = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
        try
        {
            // The admin's set-up, by keyboard too: a credential for the simulator becomes the project's assist model.
            var credential = WizardScript.CredentialName();
            await page.GotoAsync("/Settings/Credentials");
            // The add form ends the page, below every stored credential's buttons: Shift+Tab reaches it sooner.
            await KeyboardOnly.TypeIntoAsync(page, page.Locator("#credential-name"), "the new credential's Name box", credential, backwards: true);
            await KeyboardOnly.ChooseAsync(page, page.Locator("#credential-provider"), "the Provider list", "openai-compatible");
            await Assertions.Expect(page.Locator("#credential-provider")).ToHaveValueAsync("openai-compatible");
            await KeyboardOnly.TypeIntoAsync(page, page.Locator("#credential-url"), "the Base URL box", app.Simulator.OpenAIBaseUrl.ToString());
            await KeyboardOnly.TypeIntoAsync(page, page.Locator("#credential-key"), "the API key box", tenant.ApiKey);
            await KeyboardOnly.ActivateAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Add credential" }), "the Add credential button");
            await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = credential })).ToBeVisibleAsync(new() { Timeout = WizardScript.PageTimeout });

            await KeyboardOnly.ActivateAsync(page, main.GetByRole(AriaRole.Link, new() { Name = "Assist", Exact = true }), "the main menu's Assist link");
            await KeyboardOnly.ChooseAsync(page, page.Locator("#assist-credential"), "the assist Credential list", credential);
            await Assertions.Expect(page.Locator("#assist-credential option:checked")).ToHaveTextAsync($"{credential} (openai-compatible)");
            await KeyboardOnly.TypeIntoAsync(page, page.Locator("#assist-model"), "the assist Model box", WizardScript.Model);
            await KeyboardOnly.ActivateAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Save" }), "the assist Save button");
            await Assertions.Expect(page.Locator("#assist-current")).ToContainTextAsync("per million input tokens", new() { Timeout = WizardScript.PageTimeout });

            // A new experiment from the menu; an unfinished draft (of an earlier run) is cleared on the wizard's last step.
            var name = $"By keyboard {Guid.NewGuid():N}"[..21];
            await KeyboardOnly.ActivateAsync(page, main.GetByRole(AriaRole.Link, new() { Name = "New experiment" }), "the main menu's New experiment link");
            await KeyboardOnly.ActivateAsync(page, page.GetByRole(AriaRole.Navigation, new() { Name = "Wizard steps" }).GetByRole(AriaRole.Link).Last,
                "the wizard's Review step");
            await WizardScript.ExpectStepAsync(page, "Review and create");
            await KeyboardOnly.ActivateAsync(page, page.Locator("#start-over"), "Start over with an empty experiment");
            await WizardScript.ExpectStepAsync(page, "Step 1 of 7: Objective");
            await KeyboardOnly.TypeIntoAsync(page, page.Locator("#name"), "the Name box", name);
            await KeyboardOnly.TypeIntoAsync(page, page.Locator("#goal"), "the Goal box", WizardScript.Goal);
            await KeyboardOnly.TypeIntoAsync(page, page.Locator("#draft-budget"), "the drafting budget", "2");
            await KeyboardOnly.TabOnceToAsync(page, page.Locator("#draft-rest"));
            await keyboard.PressAsync("Enter");
            // The answer's first control takes the focus when it arrives, so Enter accepts it and moves on.
            await Assertions.Expect(page.Locator("#review-drafted")).ToBeFocusedAsync(new() { Timeout = WizardScript.RunTimeout });
            await WizardScript.ScreenshotAsync(page, "keyboard-objective-drafted");
            await keyboard.PressAsync("Enter");
            await WizardScript.ExpectStepAsync(page, "Step 2 of 7: Rubric");
            await Assertions.Expect(page.Locator("#wizard-heading")).ToBeFocusedAsync();
            await Assertions.Expect(page.Locator("#criterion-0-name")).ToHaveValueAsync("Correctness");

            foreach (var heading in new[] { "Step 3 of 7: Seed prompt", "Step 4 of 7: Test data", "Step 5 of 7: Models", "Step 6 of 7: Judges" })
            {
                await KeyboardOnly.ActivateAsync(page, page.Locator("#wizard-next"), $"the Next button before {heading}");
                await WizardScript.ExpectStepAsync(page, heading);
                await Assertions.Expect(page.Locator("#wizard-heading")).ToBeFocusedAsync();
            }

            await Assertions.Expect(page.Locator("#judge-1-model")).ToHaveValueAsync(WizardScript.Model);
            // Drafted too (the assist model), so the loop goes on past iteration 1 without anyone typing a refiner.
            await Assertions.Expect(page.Locator("#refiner-model")).ToHaveValueAsync(WizardScript.Model);
            await KeyboardOnly.ActivateAsync(page, page.Locator("#wizard-next"), "the Next button of the Judges step");
            await WizardScript.ExpectStepAsync(page, "Step 7 of 7: Stop rules & budget");

            // Enter in a one-line box is Next.
            await KeyboardOnly.TypeIntoAsync(page, page.Locator("#max-iterations"), "the Most iterations box", "2");
            await keyboard.PressAsync("Enter");
            await WizardScript.ExpectStepAsync(page, "Review and create");
            await Assertions.Expect(page.Locator("#wizard-heading")).ToBeFocusedAsync();
            await Assertions.Expect(page.Locator("#review-estimate")).ToContainTextAsync("This run will cost about $");
            await WizardScript.ScreenshotAsync(page, "keyboard-review");
            var eventStream = WizardScript.EventStreamOpensAsync(page);
            await KeyboardOnly.ActivateAsync(page, page.Locator("#wizard-create-start"), "Create and start the run");

            await WizardScript.WatchAnswersArriveAsync(page, answers, eventStream, "keyboard");
            await WizardScript.ExpectSuggestionLinkAsync(page);
            await KeyboardOnly.ActivateAsync(page, page.Locator("#results tbody tr").First.GetByRole(AriaRole.Link), "the first answer's judgments link");
            await WizardScript.ExpectJudgmentsAsync(page);
            await WizardScript.ScreenshotAsync(page, "keyboard-output-judgments");
            await KeyboardOnly.ActivateAsync(page, page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" }).GetByRole(AriaRole.Link, new() { Name = "Iteration 1" }),
                "the breadcrumb back to iteration 1");

            await KeyboardOnly.ActivateAsync(page, page.Locator("#review-link"), "the iteration's Review the suggestion link");
            await WizardScript.ExpectSuggestionAsync(page, name);
            await WizardScript.ScreenshotAsync(page, "keyboard-suggestion");
            await KeyboardOnly.ActivateAsync(page, page.Locator("#approve-button"), "the Approve button");
            await WizardScript.ExpectSecondIterationFromV2Async(page, name);
            await WizardScript.ScreenshotAsync(page, "keyboard-iteration-2");

            await KeyboardOnly.ActivateAsync(page, page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" }).GetByRole(AriaRole.Link, new() { Name = name }),
                "the breadcrumb to the experiment");
            await WizardScript.ExpectOverviewAsync(page, name);
            await WizardScript.ScreenshotAsync(page, "keyboard-overview");
            Assert.Empty(problems);
        }
        finally
        {
            answers.TrySetResult();
        }
    }
}

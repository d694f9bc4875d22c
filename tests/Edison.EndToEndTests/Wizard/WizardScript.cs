using Edison.EndToEndTests.LoopPages;
using Edison.Testing.Simulator;
using Microsoft.Playwright;

namespace Edison.EndToEndTests.Wizard;

/// <summary>
/// A simulator tenant that answers everything the wizard journeys ask: the assist model's rubric, seed prompt and 40 tagged
/// cases for "Draft the rest", then the model under test and both judges of each iteration, and the refiner (whose edit adds
/// <see cref="LoopScript.Instruction"/> after <see cref="LoopScript.Anchor"/>, which the drafted seed prompt starts with).
/// </summary>
internal static class WizardScript
{
    public const string Model = "gpt-4o-mini";
    public const string Goal = "Answer customers' billing questions correctly and kindly, with one concrete next step.";
    public const string Reasoning = "Checked the facts and the tone.";
    public const string JudgeSuggestion = "Name the exact setting to open.";
    public const int CaseCount = 40;

    /// <summary>How long a journey waits for a page or a swap, and for background work (a run, the refiner): generous, because
    /// the app shares a loaded 2-core machine; auto-waiting assertions return as soon as the page is right.</summary>
    public const float PageTimeout = 30_000;

    public const float RunTimeout = 180_000;
    private static readonly string[] Suggestions = [JudgeSuggestion];

    /// <summary>
    /// Scripts <paramref name="tenant"/>; answers of the model under test wait for <paramref name="answersMayStart"/> when it is
    /// given, so a journey can see an iteration's page before any answer and then watch the counts rise.
    /// </summary>
    public static SimTenant Apply(SimTenant tenant, Task? answersMayStart = null) => tenant.Otherwise(request => SimStep.Delay(TimeSpan.FromMilliseconds(150), request.SchemaName switch
    {
        "RubricAnswer" => SimStep.ReplyJson(new
        {
            criteria = new[]
            {
                new { name = "Correctness", description = "Facts agree with the billing policy.", weight = 3.0, labels = new List<string> { "wrong", "mostly wrong", "mixed", "mostly right", "right" } },
                new { name = "Kindness", description = "Warm, brief, no blame.", weight = 1.0, labels = new List<string> { "rude", "curt", "neutral", "kind", "warm" } },
            },
        }),
        "SeedPromptAnswer" => SimStep.ReplyJson(new
        {
            systemText = "You are a senior billing support agent.",
            template = LoopScript.Anchor + "\n<question>{{ question }}</question>",
            variables = new List<string> { "question" },
            techniques = new[] { new { technique = "Role", criterion = "Kindness", why = "tone" }, new { technique = "Explicit format", criterion = "Correctness", why = "facts" } },
        }),
        "GeneratedBatch" => SimStep.ReplyJson(new
        {
            cases = Enumerable.Range(0, CaseCount).Select(i => new
            {
                variables = new Dictionary<string, string> { ["question"] = $"Billing question {i}: invoice {1000 + (i * 7919)} shows {i % 3 + 2} charges" },
                tags = new[] { i % 2 == 0 ? "refund" : "invoice" },
                difficulty = i % 3 == 0 ? "hard" : "easy",
            }).ToList(),
        }),
        "PointwiseVerdict" => SimStep.ReplyJson(new
        {
            reasoning = Reasoning,
            scores = new[] { new { criterion = "Correctness", score = 4, rationale = "Right." }, new { criterion = "Kindness", score = 5, rationale = "Warm." } },
            suggestions = Suggestions,
            safetyFlags = Array.Empty<string>(),
        }),
        "RefinerDiagnosis" or "RefinerPlan" or "RefinerEdits" or "RefinerCritique" => LoopScript.Answer(request),
        _ => Gated(answersMayStart, SimStep.Reply("You were charged once; the second line is a pending hold. Next step: open Billing › Invoices.", inputTokens: 80, outputTokens: 25)),
    }));

    private static SimStep Gated(Task? gate, SimStep step) => gate is null ? step : SimStep.After(gate, step);

    /// <summary>A browser context signed in as the owner, its page, and the page's console, CSP and script problems.</summary>
    public static async Task<(IPage Page, List<string> Problems, IBrowserContext Context)> SignInAsync(EdisonAppFixture app, ChromiumFixture chromium)
    {
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.WebUrl.ToString() });
        await app.SignInOwnerAsync(context);
        var page = await context.NewPageAsync();
        return (page, BrowserChecks.WatchProblems(page), context);
    }

    /// <summary>A credential name of its own for each journey, so its row and option are found among other tests' ones.</summary>
    public static string CredentialName() => $"Wizard sim {Guid.NewGuid():N}"[..19];

    /// <summary>
    /// An admin's set-up, with the mouse: a fresh simulator credential becomes the project's assist model; then any unfinished
    /// draft is cleared and the page is left on the wizard's first step.
    /// </summary>
    public static async Task SetUpAssistAndStartOverAsync(IPage page, EdisonAppFixture app, SimTenant tenant)
    {
        var name = CredentialName();
        await page.GotoAsync("/Settings/Credentials");
        await page.Locator("#credential-name").FillAsync(name);
        await page.Locator("#credential-provider").SelectOptionAsync("openai-compatible");
        await page.Locator("#credential-url").FillAsync(app.Simulator.OpenAIBaseUrl.ToString());
        await page.Locator("#credential-key").FillAsync(tenant.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add credential" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = name })).ToBeVisibleAsync(new() { Timeout = PageTimeout });

        await page.GotoAsync("/Settings/Assist");
        await page.Locator("#assist-credential").SelectOptionAsync(new SelectOptionValue { Label = $"{name} (openai-compatible)" });
        await page.Locator("#assist-model").FillAsync(Model);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.Locator("#assist-current")).ToContainTextAsync("per million input tokens", new() { Timeout = PageTimeout });
        await BrowserChecks.AssertAccessibleAsync(page, "assist-settings");

        await page.GotoAsync("/Experiments/New?step=8");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start over with an empty experiment" }).ClickAsync();
        await ExpectStepAsync(page, "Step 1 of 7: Objective");
    }

    /// <summary>
    /// Starts listening for the experiment's event stream before the iteration page opens; the task ends with the stream's
    /// response (the page's htmx SSE extension opens it).
    /// </summary>
    public static Task<IResponse> EventStreamOpensAsync(IPage page) =>
        page.WaitForResponseAsync(r => r.Url.Contains("/events/experiments/", StringComparison.Ordinal), new() { Timeout = RunTimeout });

    /// <summary>Waits for the wizard to show the step titled <paramref name="heading"/>.</summary>
    public static Task ExpectStepAsync(IPage page, string heading) =>
        Assertions.Expect(page.Locator("#wizard-heading")).ToHaveTextAsync(heading, new() { Timeout = 30_000 });

    /// <summary>
    /// On iteration 1's page while its answers are held back: the page has opened the experiment's event stream and shows
    /// none of the 40; the answers are let through, and the count reaches 40 of 40 on the same page (the live region swapped
    /// it in; the page was never reloaded).
    /// </summary>
    public static async Task WatchAnswersArriveAsync(IPage page, TaskCompletionSource answers, Task<IResponse> eventStream, string screenshots)
    {
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentNullException.ThrowIfNull(eventStream);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Iteration 1", Level = 1 })).ToBeVisibleAsync(new() { Timeout = PageTimeout });
        var stream = await eventStream;
        Assert.Equal(200, stream.Status);
        Assert.StartsWith("text/event-stream", stream.Headers["content-type"], StringComparison.Ordinal);
        await Assertions.Expect(page.Locator(".page-head .badge")).ToHaveTextAsync("prompt v1");
        await Assertions.Expect(page.Locator("#outputs-count")).ToHaveTextAsync($"0 / {CaseCount}", new() { Timeout = RunTimeout });
        await ScreenshotAsync(page, $"{screenshots}-iteration-waiting");
        await page.EvaluateAsync("() => { window.edisonMarker = 'same-page'; }");
        answers.TrySetResult();
        await Assertions.Expect(page.Locator("#outputs-count")).ToHaveTextAsync($"{CaseCount} / {CaseCount}", new() { Timeout = RunTimeout });
        Assert.Equal("same-page", await page.EvaluateAsync<string>("() => window.edisonMarker"));
        await ScreenshotAsync(page, $"{screenshots}-iteration-answered");
    }

    /// <summary>Waits for the refiner's suggestion on iteration 1's page (it appears by itself when the loop waits for review).</summary>
    public static async Task ExpectSuggestionLinkAsync(IPage page)
    {
        await Assertions.Expect(page.Locator("#review-link")).ToBeVisibleAsync(new() { Timeout = RunTimeout });
        await Assertions.Expect(page.Locator("#results tbody tr")).ToHaveCountAsync(CaseCount, new() { Timeout = PageTimeout });
        Assert.Equal("same-page", await page.EvaluateAsync<string>("() => window.edisonMarker"));
    }

    /// <summary>One answer's judgments: both judges' reasoning, their scores' rationale and their suggestion.</summary>
    public static async Task ExpectJudgmentsAsync(IPage page)
    {
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Judgments" })).ToBeVisibleAsync(new() { Timeout = PageTimeout });
        await Assertions.Expect(page.Locator(".reasoning")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator(".reasoning").First).ToHaveTextAsync(Reasoning);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(JudgeSuggestion);
    }

    /// <summary>The refiner's suggestion for this experiment: the diff adds the instruction.</summary>
    public static async Task ExpectSuggestionAsync(IPage page, string experimentName)
    {
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Review the refiner's change to v1" })).ToBeVisibleAsync(new() { Timeout = PageTimeout });
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" })).ToContainTextAsync(experimentName);
        await Assertions.Expect(page.Locator(".diff-add").Filter(new() { HasText = LoopScript.Instruction })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#suggestion-note")).ToContainTextAsync(LoopScript.Instruction);
    }

    /// <summary>After approval: iteration 2's page, running prompt v2.</summary>
    public static async Task ExpectSecondIterationFromV2Async(IPage page, string experimentName)
    {
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Iteration 2", Level = 1 })).ToBeVisibleAsync(new() { Timeout = PageTimeout });
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" })).ToContainTextAsync(experimentName);
        await Assertions.Expect(page.Locator(".page-head .badge")).ToHaveTextAsync("prompt v2");
    }

    /// <summary>The overview: v1 → v2 approved by a reviewer, two iterations.</summary>
    public static async Task ExpectOverviewAsync(IPage page, string experimentName)
    {
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = experimentName, Level = 1 })).ToBeVisibleAsync(new() { Timeout = PageTimeout });
        await Assertions.Expect(page.Locator("#lineage")).ToContainTextAsync("Approved by");
        await Assertions.Expect(page.Locator("#iterations tbody tr")).ToHaveCountAsync(2);
    }

    /// <summary>Saves a full-page screenshot beside the other journeys' ones.</summary>
    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserChecks.ScreenshotDirectory, $"{name}.png"), FullPage = true });
}

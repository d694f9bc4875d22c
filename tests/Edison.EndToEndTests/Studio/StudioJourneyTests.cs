using System.Text;
using Edison.EndToEndTests.LoopPages;
using Edison.Testing.Simulator;
using Microsoft.Playwright;

namespace Edison.EndToEndTests.Studio;

/// The test data studio in Chromium against the whole app (web, worker, simulator): a CSV import with column mapping and row
/// errors; generate → watch → review → accept; and coverage heatmap → Fill gap, each checked for accessibility and CSP.
[Collection(EdisonAppGroup.Name)]
public sealed class StudioJourneyTests(EdisonAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task Journey_ImportCsvWithMappingAndRowErrors_ValidRowsJoinANewDatasetAndBadRowsAreListed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = BrowserChecks.WatchProblems(page);
        var name = $"Imported {Guid.NewGuid():N}"[..20];
        var csv = "question,answer,labels,level\n"
            + "Where is my parcel?,On its way.,shipping,easy\n"
            + "Refund please,Refunded.,refund,extreme\n"
            + "I cannot log in,Reset your password.,login;account,medium\n";

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Datasets" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Import cases" }).ClickAsync();
        await page.Locator("#import-file").SetInputFilesAsync(new FilePayload { Name = "support.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });
        await page.Locator("#import-name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and preview" }).ClickAsync();

        // Unknown headers start as variables: the person maps them.
        await Assertions.Expect(page.GetByLabel("answer", new() { Exact = true })).ToHaveValueAsync("Variable");
        await page.GetByLabel("answer", new() { Exact = true }).SelectOptionAsync("ExpectedOutput");
        await page.GetByLabel("labels", new() { Exact = true }).SelectOptionAsync("Tags");
        await page.GetByLabel("level", new() { Exact = true }).SelectOptionAsync("Difficulty");
        await page.GetByRole(AriaRole.Button, new() { Name = "Update preview" }).ClickAsync();
        await Assertions.Expect(page.Locator("#preview-counts")).ToContainTextAsync("3 rows: 2 valid, 1 with errors");
        await Assertions.Expect(page.Locator("#row-errors tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#row-errors tbody tr").First).ToContainTextAsync("level");
        await BrowserChecks.AssertAccessibleAsync(page, "import-preview");
        await page.GetByRole(AriaRole.Button, new() { Name = "Import 2 valid rows" }).ClickAsync();

        await Assertions.Expect(page.Locator("#import-summary")).ToContainTextAsync("2 cases imported as version v1; 1 row was skipped");
        await page.GetByRole(AriaRole.Link, new() { Name = "Open the dataset" }).ClickAsync();
        await Assertions.Expect(page.Locator("#dataset-name")).ToContainTextAsync(name);
        await Assertions.Expect(page.Locator("#cases-count")).ToContainTextAsync("2 matching cases");
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "Reset your password." })).ToBeVisibleAsync();
        await BrowserChecks.AssertAccessibleAsync(page, "dataset");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Journey_ImportOverTheLimit_TheImportPageSaysTheLimitInsteadOfABare413()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        var big = new byte[21 * 1024 * 1024 + 512 * 1024];
        big.AsSpan().Fill((byte)'a');

        await page.GotoAsync("/Datasets/Import");
        await page.Locator("#import-file").SetInputFilesAsync(new FilePayload { Name = "big.csv", MimeType = "text/csv", Buffer = big });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and preview" }).ClickAsync();

        await Assertions.Expect(page.Locator("#import-error")).ToContainTextAsync("the limit is 20 MB and 50,000 rows. Nothing was imported.");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Import cases", Level = 1 })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Journey_GenerateWatchReviewAccept_AcceptedCasesJoinTheDatasetAsANewVersion()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var tenant = Generator(app.Simulator.CreateTenant(), "delivery");
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = BrowserChecks.WatchProblems(page);
        var experiment = $"Studio gen {Guid.NewGuid():N}"[..22];
        await BrowserChecks.CreateExperimentAsync(page, app, tenant.ApiKey, experiment, null);

        await OpenDatasetAsync(page, experiment);
        await page.GetByRole(AriaRole.Link, new() { Name = "Generate cases" }).ClickAsync();
        await Assertions.Expect(page.Locator("#gen-variables")).ToHaveValueAsync("question");
        await page.Locator("#gen-count").FillAsync("3");
        await page.Locator("#gen-diversity").FillAsync("0.1");
        await BrowserChecks.AssertAccessibleAsync(page, "generate-form");
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();

        // The worker runs the job; the page follows it live and turns into the review when it is done.
        await Assertions.Expect(page.Locator("#review")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#dropped-cases")).ToContainTextAsync("Exact duplicate of case 1.");
        await Assertions.Expect(page.Locator("#diversity")).ToContainTextAsync("target met");
        await Assertions.Expect(page.Locator("#pending-cases tbody tr")).ToHaveCountAsync(3);
        await BrowserChecks.AssertAccessibleAsync(page, "generation-review");
        await page.Locator("#pending-cases tbody tr").Nth(2).GetByRole(AriaRole.Checkbox).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Discard selected" }).ClickAsync();
        await Assertions.Expect(page.Locator("#generation-message")).ToContainTextAsync("Discarded 1 case.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Accept all 2" }).ClickAsync();
        await Assertions.Expect(page.Locator("#generation-message")).ToContainTextAsync("Accepted 2 cases into version v2 of the dataset.");

        await page.GetByRole(AriaRole.Link, new() { Name = "Test cases" }).First.ClickAsync();
        await Assertions.Expect(page.Locator("#dataset-cases")).ToHaveTextAsync("8");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Journey_CoverageHeatmapFillGap_TheGapCellsCasesAreGeneratedIntoReview()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var tenant = Generator(app.Simulator.CreateTenant(), "billing");
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = BrowserChecks.WatchProblems(page);
        var experiment = $"Studio gap {Guid.NewGuid():N}"[..22];
        await BrowserChecks.CreateExperimentAsync(page, app, tenant.ApiKey, experiment, null);

        await OpenDatasetAsync(page, experiment);
        await page.GetByRole(AriaRole.Link, new() { Name = "Coverage" }).ClickAsync();
        var gap = page.GetByRole(AriaRole.Link, new() { Name = "billing, unset, short: 2 cases" });
        await Assertions.Expect(gap).ToContainTextAsync("gap");
        await Assertions.Expect(page.Locator("td[data-tag=billing][data-difficulty=unset][data-length=short]")).ToHaveAttributeAsync("data-gap", "true");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "account, unset, short: 3 cases, covered" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("td[data-tag=account][data-difficulty=unset][data-length=short]")).ToHaveAttributeAsync("data-gap", "false");
        await BrowserChecks.AssertAccessibleAsync(page, "coverage");
        await gap.ClickAsync();
        await Assertions.Expect(page.Locator("#cell-cases li")).ToHaveCountAsync(2);
        await page.GetByRole(AriaRole.Button, new() { Name = "Fill gap: generate 5 cases for this cell" }).ClickAsync();

        await Assertions.Expect(page.Locator("#generation-focus")).ToContainTextAsync("tagged \"billing\"");
        await Assertions.Expect(page.Locator("#review")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Accept all 3" }).ClickAsync();
        await Assertions.Expect(page.Locator("#generation-message")).ToContainTextAsync("Accepted 3 cases into version v2 of the dataset.");
        var request = tenant.Requests.First(r => r.SchemaName == "GeneratedBatch");
        Assert.Contains("Fill a coverage gap. Every case: tagged \"billing\"", request.LastUserText, StringComparison.Ordinal);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Journey_HardenAfterBillingCasesFail_GeneratedCasesTargetBillingAndTheWeakestCriterion()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(200));
        // The model answers, the judge fails the billing questions (2 of 5) and passes the rest (4 of 5), and the generator
        // writes billing cases; everything else follows the loop script.
        var tenant = app.Simulator.CreateTenant().Otherwise(request => request.SchemaName switch
        {
            "GeneratedBatch" => GeneratedCases("billing"),
            "PointwiseVerdict" => SimStep.ReplyJson(new
            {
                reasoning = "Billing answers miss the refund policy.",
                scores = new[]
                {
                    new
                    {
                        criterion = LoopScript.Criterion,
                        score = request.LastUserText.Contains("charged twice", StringComparison.Ordinal)
                                || request.LastUserText.Contains("student discount", StringComparison.Ordinal) ? 2 : 4,
                        rationale = "Judged.",
                    },
                },
                suggestions = Array.Empty<string>(),
                safetyFlags = Array.Empty<string>(),
            }),
            _ => LoopScript.Answer(request),
        });
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = BrowserChecks.WatchProblems(page);
        var experiment = $"Studio harden {Guid.NewGuid():N}"[..24];
        await BrowserChecks.CreateExperimentAsync(page, app, tenant.ApiKey, experiment, null);
        await page.GetByRole(AriaRole.Button, new() { Name = "Run an iteration" }).ClickAsync();
        await Assertions.Expect(page.Locator("#iteration-status")).ToHaveTextAsync("completed", new() { Timeout = 120_000 });

        await OpenDatasetAsync(page, experiment);
        await page.GetByRole(AriaRole.Link, new() { Name = "Coverage" }).ClickAsync();
        await page.Locator("#harden").ClickAsync();

        await Assertions.Expect(page.Locator("#generation-focus")).ToContainTextAsync("\"billing\"");
        await Assertions.Expect(page.Locator("#review")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await BrowserChecks.AssertAccessibleAsync(page, "harden-review");
        await page.GetByRole(AriaRole.Button, new() { Name = "Accept all 3" }).ClickAsync();
        await Assertions.Expect(page.Locator("#generation-message")).ToContainTextAsync("Accepted 3 cases into version v2 of the dataset.");
        var request = tenant.Requests.First(r => r.SchemaName == "GeneratedBatch");
        Assert.Contains("Cases tagged \"billing\" fail most", request.LastUserText, StringComparison.Ordinal);
        Assert.Contains($"The weakest criterion is \"{LoopScript.Criterion}\"", request.LastUserText, StringComparison.Ordinal);
        Assert.Contains("Why was I charged twice?", request.LastUserText, StringComparison.Ordinal);
        Assert.Empty(problems);
    }

    private async Task<IBrowserContext> NewContextAsync()
    {
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.WebUrl.ToString() });
        await app.SignInOwnerAsync(context);
        return context;
    }

    private static async Task OpenDatasetAsync(IPage page, string experiment)
    {
        await page.GotoAsync("/Datasets");
        await page.GetByRole(AriaRole.Row).Filter(new() { HasText = experiment }).GetByRole(AriaRole.Link, new() { Name = "Test cases" }).ClickAsync();
        await Assertions.Expect(page.Locator("#dataset-name")).ToContainTextAsync("Test cases");
    }

    /// The generating model: three distinct cases plus an exact duplicate of the first, tagged <paramref name="tag"/>.
    private static SimTenant Generator(SimTenant tenant, string tag) => tenant.Otherwise(_ => GeneratedCases(tag));

    private static SimStep GeneratedCases(string tag) => SimStep.ReplyJson(new
    {
        cases = new[]
        {
            $"First {tag} question about an order placed in March from the web shop",
            $"Second {tag} question: the mobile app shows a different total than the receipt",
            $"First {tag} question about an order placed in March from the web shop",
            $"Third {tag} question from a company account asking for a formal document",
        }.Select(q => new { variables = new Dictionary<string, string> { ["question"] = q }, tags = new[] { tag } }).ToList(),
    });
}

using Dapper;
using Deque.AxeCore.Playwright;
using Edison.Testing;
using Microsoft.Playwright;
using Npgsql;

namespace Edison.EndToEndTests.Security;

/// The first person sets Edison up, invites a reviewer by link; the reviewer joins, signs in, reads the experiment and is refused
/// when trying to start a run. Under the app's CSP, in Chromium.
[Collection(FirstRunAppGroup.Name)]
public sealed class SecurityJourneyTests(FirstRunAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private const string OwnerEmail = "first@journey.test";
    private const string ReviewerEmail = "reviewer@journey.test";
    private const string Password = "journey passphrase one";
    private static readonly string ScreenshotDirectory = Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public async Task Journey_FirstUserInvitesReviewer_ReviewerReadsButCannotStartARun()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var problems = new List<string>();

        await using var ownerContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.WebUrl.ToString() });
        var owner = await NewPageAsync(ownerContext, problems);
        await owner.GotoAsync("/");
        await Assertions.Expect(owner.GetByRole(AriaRole.Heading, new() { Name = "Set up Edison" })).ToBeVisibleAsync();
        await AssertAccessibleAsync(owner, "setup");
        await owner.Locator("#setup-token").FillAsync(TestSetup.Token);
        await owner.Locator("#email").FillAsync(OwnerEmail);
        await owner.Locator("#password").FillAsync(Password);
        await owner.GetByRole(AriaRole.Button, new() { Name = "Create owner account" }).ClickAsync();
        await Assertions.Expect(owner.GetByRole(AriaRole.Heading, new() { Name = "Experiments", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(owner.Locator("#account-link")).ToHaveTextAsync(OwnerEmail);

        await owner.GotoAsync("/Experiments/Quick");
        await owner.Locator("#name").FillAsync("Journey security experiment");
        await owner.Locator("#goal").FillAsync("Answer support questions helpfully.");
        await owner.Locator("#criterion").FillAsync("Helpful");
        await owner.Locator("#criterion-description").FillAsync("Answers the question.");
        await owner.Locator("#template").FillAsync("Answer: {{ question }}");
        await owner.Locator("#cases").FillAsync("{\"question\": \"How do I reset my password?\"}");
        await owner.Locator("#base-url").FillAsync(app.Simulator.OpenAIBaseUrl.ToString());
        await owner.Locator("#api-key").FillAsync("sk-journey");
        await owner.Locator("#model").FillAsync("gpt-4o-mini");
        await owner.Locator("#judge-model").FillAsync("gpt-4o");
        await owner.GetByRole(AriaRole.Button, new() { Name = "Create experiment" }).ClickAsync();
        await Assertions.Expect(owner.GetByRole(AriaRole.Heading, new() { Name = "Journey security experiment" })).ToBeVisibleAsync();
        var experimentUrl = owner.Url;

        await owner.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Members" }).ClickAsync();
        await Assertions.Expect(owner.GetByRole(AriaRole.Heading, new() { Name = "Members" })).ToBeVisibleAsync();
        await owner.Locator("#invite-email").FillAsync(ReviewerEmail);
        await owner.Locator("#invite-role").SelectOptionAsync("Reviewer");
        await owner.GetByRole(AriaRole.Button, new() { Name = "Create invitation link" }).ClickAsync();
        var link = await owner.Locator("#invitation-link").InputValueAsync();
        Assert.Contains("/Account/Invitation?token=", link, StringComparison.Ordinal);
        await AssertAccessibleAsync(owner, "members");
        await owner.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "members-invitation.png"), FullPage = true });

        await using var reviewerContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.WebUrl.ToString() });
        var reviewer = await NewPageAsync(reviewerContext, problems);
        await reviewer.GotoAsync(link);
        await Assertions.Expect(reviewer.Locator("#invitation-role")).ToHaveTextAsync("reviewer");
        await reviewer.GetByRole(AriaRole.Link, new() { Name = "Create an account and join" }).ClickAsync();
        await Assertions.Expect(reviewer.Locator("#email")).ToHaveValueAsync(ReviewerEmail);
        await reviewer.Locator("#password").FillAsync(Password);
        await reviewer.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Assertions.Expect(reviewer.GetByRole(AriaRole.Heading, new() { Name = "Experiments", Exact = true })).ToBeVisibleAsync();

        // Signs out and back in, as a returning reviewer would.
        await reviewer.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(reviewer.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await AssertAccessibleAsync(reviewer, "sign-in");
        await reviewer.Locator("#email").FillAsync(ReviewerEmail);
        await reviewer.Locator("#password").FillAsync(Password);
        await reviewer.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(reviewer.Locator("#account-link")).ToHaveTextAsync(ReviewerEmail);

        await reviewer.GotoAsync(experimentUrl);
        await Assertions.Expect(reviewer.GetByRole(AriaRole.Heading, new() { Name = "Journey security experiment" })).ToBeVisibleAsync();
        // A reviewer is not offered the run controls, and a forged start is refused (the matrix test checks every handler).
        await Assertions.Expect(reviewer.Locator("#experiment-actions")).ToContainTextAsync("needs the editor role; yours is reviewer");
        await Assertions.Expect(reviewer.GetByRole(AriaRole.Button, new() { Name = "Run an iteration" })).ToHaveCountAsync(0);
        var forged = await reviewer.APIRequest.PostAsync(experimentUrl + "?handler=Start", new() { MaxRedirects = 0 });
        Assert.NotEqual(302, forged.Status);
        Assert.True(forged.Status is 400 or 403, $"a reviewer's start answered {forged.Status}");
        await reviewer.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "reviewer-refused.png"), FullPage = true });

        // The link worked once.
        await using var thirdContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.WebUrl.ToString() });
        var third = await NewPageAsync(thirdContext, problems);
        await third.GotoAsync(link);
        await Assertions.Expect(third.Locator("#invitation-invalid")).ToBeVisibleAsync();

        await using var db = new NpgsqlConnection(app.DatabaseConnectionString);
        await db.OpenAsync(cts.Token);
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT count(*)::int FROM iterations"));
        Assert.Equal("reviewer", await db.ExecuteScalarAsync<string>(
            "SELECT m.role FROM project_members m JOIN users u ON u.id = m.user_id WHERE u.normalized_email = upper(@ReviewerEmail)",
            new { ReviewerEmail }));
        // Only the browser console's CSP complaints count: the deliberate 403 logs a resource error by design.
        Assert.Empty(problems);
    }

    private static async Task<IPage> NewPageAsync(IBrowserContext context, List<string> problems)
    {
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{message.Type}: {message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => problems.Add($"page error: {error}");
        return page;
    }

    private static async Task AssertAccessibleAsync(IPage page, string name)
    {
        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} — {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")
            .ToList();
        Assert.True(serious.Count == 0, $"Accessibility violations on {name}:\n{string.Join("\n", serious)}");
    }
}

using Dapper;
using Microsoft.Playwright;
using Npgsql;

namespace Edison.EndToEndTests.LoopPages;

/// <summary>A rater scores answers with the keyboard only: arrow keys pick a score, Ctrl+Enter saves and moves on, p goes back.</summary>
[Collection(EdisonAppGroup.Name)]
public sealed class RatingJourneyTests(EdisonAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task Journey_RaterUsesKeyboardOnly_SavesScoresAndShowsThemAgain()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        // Until sign-in exists, ratings are recorded under the instance owner; the test makes sure there is one.
        await using (var connection = new NpgsqlConnection(app.DatabaseConnectionString))
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO users (id, email, normalized_email, display_name, security_stamp, concurrency_stamp, is_instance_owner)
                SELECT gen_random_uuid(), 'owner@example.test', 'OWNER@EXAMPLE.TEST', 'Rita Rater', 'stamp', 'stamp', true
                WHERE NOT EXISTS (SELECT 1 FROM users WHERE is_instance_owner)
                """, cancellationToken: cts.Token));
        }

        var tenant = LoopScript.Apply(app.Simulator.CreateTenant(), TimeSpan.FromMilliseconds(50));
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.WebUrl.ToString() });
        await app.SignInOwnerAsync(context);
        var page = await context.NewPageAsync();
        var problems = BrowserChecks.WatchProblems(page);

        await BrowserChecks.CreateExperimentAsync(page, app, tenant.ApiKey, $"Rating {Guid.NewGuid():N}"[..15], refinerModel: null);
        await page.GetByRole(AriaRole.Button, new() { Name = "Run an iteration" }).ClickAsync();
        await Assertions.Expect(page.Locator("#iteration-status")).ToHaveTextAsync("completed", new() { Timeout = 90_000 });
        await page.GetByRole(AriaRole.Link, new() { Name = "Rate answers yourself" }).ClickAsync();
        await Assertions.Expect(page.Locator("#rating-shortcuts")).ToContainTextAsync($"Answer 1 of {LoopScript.CaseCount}");
        await BrowserChecks.AssertAccessibleAsync(page, "rating");

        // The first score is focused on load: ArrowRight picks 2, Ctrl+Enter saves and moves to answer 2.
        await Assertions.Expect(page.Locator("#score-0-1")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("Control+Enter");
        await Assertions.Expect(page.Locator("#rating-saved")).ToHaveTextAsync("Saved your rating of answer 1.");
        await Assertions.Expect(page.Locator("#rating-shortcuts")).ToContainTextAsync($"Answer 2 of {LoopScript.CaseCount}");

        // p goes back, and the saved score is shown again (once the page's script has focused the first score).
        await Assertions.Expect(page.Locator("#score-0-1")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("p");
        await Assertions.Expect(page.Locator("#rating-shortcuts")).ToContainTextAsync($"Answer 1 of {LoopScript.CaseCount}");
        await Assertions.Expect(page.Locator("#score-0-2")).ToBeCheckedAsync();
        await page.WaitForLoadStateAsync(LoadState.Load);
        await page.Keyboard.PressAsync("n");
        await Assertions.Expect(page.Locator("#rating-shortcuts")).ToContainTextAsync($"Answer 2 of {LoopScript.CaseCount}");

        Assert.Empty(problems);
    }
}

using System.Net;
using Dapper;
using Edison.Core.Security;
using Edison.IntegrationTests.Security;

namespace Edison.IntegrationTests.Regression;

/// <summary>
/// The overview page's schedule form as an editor uses it: a weekly choice becomes a cron trigger in the clustered Quartz store
/// with the next run in words on the page, a bad custom expression is refused in words beside its field, and "off" removes it.
/// </summary>
public sealed class RegressionSchedulePageTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    [Fact]
    public async Task SchedulePage_WeeklyThenBadCronThenOff_WritesTheQuartzTriggerAndRemovesIt()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var scenario = await SecurityScenario.CreateAsync(web, cts.Token);
        var editor = scenario.Members[ProjectRole.Editor];
        var path = $"/Experiments/Details/{scenario.ExperimentId}";
        var token = await SecureWebFixture.TokenAsync(editor, path, cts.Token);

        var weekly = await PostAsync(editor, path, token, cts.Token, ("Frequency", "weekly"), ("At", "03:15"), ("Day", "Tuesday"),
            ("WebhookUrl", "https://hooks.example.com/edison"));
        var (cron, zone, next) = await TriggerAsync(scenario.ExperimentId, cts.Token) ?? throw new Xunit.Sdk.XunitException("No trigger was stored.");
        var nextRun = new DateTimeOffset(next, TimeSpan.Zero);

        Assert.Equal("0 15 3 ? * TUE", cron);
        Assert.Equal("UTC", zone);
        Assert.Equal((DayOfWeek.Tuesday, 3, 15), (nextRun.DayOfWeek, nextRun.Hour, nextRun.Minute));
        Assert.Contains("Every Tuesday at 03:15 UTC.", weekly, StringComparison.Ordinal);
        Assert.Contains($"Next run: <time datetime=\"{nextRun:yyyy-MM-dd}", weekly, StringComparison.Ordinal);
        Assert.Contains("Tuesday " + nextRun.Day + " " + nextRun.ToString("MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture) + " at 03:15 UTC, in ",
            weekly, StringComparison.Ordinal);
        Assert.Contains("Webhook signing secret", weekly, StringComparison.Ordinal);

        var refused = await PostAsync(editor, path, token, cts.Token, ("Frequency", "custom"), ("CustomCron", "* * * * * ?"));
        Assert.Contains("fires more often than every 15 minutes", refused, StringComparison.Ordinal);
        Assert.Equal("0 15 3 ? * TUE", (await TriggerAsync(scenario.ExperimentId, cts.Token))?.Cron);

        var off = await PostAsync(editor, path, token, cts.Token, ("Frequency", "off"));
        Assert.Null(await TriggerAsync(scenario.ExperimentId, cts.Token));
        Assert.Contains("Off: nothing runs on its own.", off, StringComparison.Ordinal);
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>(
            "SELECT count(*)::int FROM qrtz_job_details WHERE job_name = @name", new { name = $"regression:{scenario.ExperimentId}" }));
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>(
            "SELECT count(*)::int FROM regression_schedules WHERE experiment_id = @ExperimentId", new { scenario.ExperimentId }));
    }

    private static async Task<string> PostAsync(HttpClient client, string path, string token, CancellationToken cancellationToken,
        params (string Key, string Value)[] fields)
    {
        using var response = await client.PostAsync($"{path}?handler=Schedule", SecureWebFixture.Form(token, fields), cancellationToken);
        var html = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {html}");
        return WebUtility.HtmlDecode(html);
    }

    private async Task<(string Cron, string Zone, long Next)?> TriggerAsync(Guid experimentId, CancellationToken cancellationToken)
    {
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<(string, string, long)?>(new CommandDefinition("""
            SELECT c.cron_expression, c.time_zone_id, t.next_fire_time
            FROM qrtz_cron_triggers c JOIN qrtz_triggers t ON t.sched_name = c.sched_name AND t.trigger_name = c.trigger_name AND t.trigger_group = c.trigger_group
            WHERE c.trigger_name = @name AND c.trigger_group = 'regression'
            """, new { name = $"regression:{experimentId}" }, cancellationToken: cancellationToken));
    }
}

using Dapper;
using Edison.Core.Regression;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Security;

/// Issue 18, finding 15: a webhook address (its path is often the secret) is shown in full only to those who may change it;
/// viewers and the audit log see its scheme and host.
public sealed class WebhookHostileTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    [Fact]
    public async Task WebhookUrl_ViewerAndAuditLog_HostileSeeOnlyTheHost()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var scenario = await SecurityScenario.CreateAsync(web, cts.Token);
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        var ownerId = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM users WHERE is_instance_owner");
        var secretPath = $"services/T0001/B0002/{Guid.NewGuid():N}";
        var saved = await web.Factory.Services.GetRequiredService<RegressionScheduleService>().SaveAsync(new Actor(ownerId), scenario.ExperimentId,
            new ScheduleChoice(ScheduleChoice.Nightly, new TimeOnly(2, 0)), $"https://hooks.example.com/{secretPath}?token=abc", newSecret: false, cts.Token);
        Assert.True(saved.Saved, string.Join("; ", saved.Errors.Values));

        var asViewer = await scenario.Members[ProjectRole.Viewer].GetStringAsync($"/Experiments/Details/{scenario.ExperimentId}", cts.Token);
        var asEditor = await scenario.Members[ProjectRole.Editor].GetStringAsync($"/Experiments/Details/{scenario.ExperimentId}", cts.Token);
        var audit = string.Join("\n", await connection.QueryAsync<string>(
            "SELECT coalesce(before::text, '') || coalesce(after::text, '') FROM audit_log WHERE project_id = @ProjectId", new { scenario.ProjectId }));

        Assert.Contains("https://hooks.example.com/", asViewer, StringComparison.Ordinal);
        Assert.DoesNotContain(secretPath, asViewer, StringComparison.Ordinal);
        Assert.Contains(secretPath, asEditor, StringComparison.Ordinal);
        Assert.Contains("hooks.example.com", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(secretPath, audit, StringComparison.Ordinal);
    }
}

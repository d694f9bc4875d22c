using System.Net;
using Dapper;
using Edison.Core.Llm;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Security;

/// Issue 18, finding 13: prices are instance-wide and move every project's costs and budgets, so a project's admin who is not
/// the instance owner cannot change them (neither through Core nor through the Prices page); the instance owner can.
public sealed class PricesHostileTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    [Fact]
    public async Task SetPrice_ProjectAdminNotInstanceOwner_HostileIsRefusedAndNoPriceMoves()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var scenario = await SecurityScenario.CreateAsync(web, cts.Token);
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        var adminId = await connection.ExecuteScalarAsync<Guid>(
            "SELECT user_id FROM project_members WHERE project_id = @ProjectId AND role = 'admin'", new { scenario.ProjectId });
        var ownerId = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM users WHERE is_instance_owner");
        var prices = web.Factory.Services.GetRequiredService<PriceService>();
        var model = $"hostile-{Guid.NewGuid():N}";
        const string Count = "SELECT count(*)::int FROM model_prices WHERE model = @model";

        await Assert.ThrowsAsync<ProjectAccessDeniedException>(() =>
            prices.SetAsync(new Actor(adminId), scenario.ProjectId, "openai", model, 1, 2, null, null, cts.Token));
        await Assert.ThrowsAsync<ProjectAccessDeniedException>(() =>
            prices.SetAsync(new Actor(ownerId) with { RoleCap = ProjectRole.Admin }, scenario.ProjectId, "openai", model, 1, 2, null, null, cts.Token));

        var admin = scenario.Members[ProjectRole.Admin];
        var token = await SecureWebFixture.TokenAsync(admin, "/Settings/Prices", cts.Token);
        using (var page = await admin.PostAsync("/Settings/Prices", SecureWebFixture.Form(token, ("Form.Provider", "openai"), ("Form.Model", model),
            ("Form.InputPerMtok", "1"), ("Form.OutputPerMtok", "2")), cts.Token))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("only the instance owner", await page.Content.ReadAsStringAsync(cts.Token), StringComparison.Ordinal);
        }

        Assert.Equal(0, await connection.ExecuteScalarAsync<int>(Count, new { model }));
        Assert.Null(await prices.SetAsync(new Actor(ownerId), scenario.ProjectId, "openai", model, 1, 2, null, null, cts.Token));
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(Count, new { model }));
    }
}

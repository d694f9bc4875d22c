using Dapper;
using Edison.Core.Projects;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Security;

/// The Core services behind the audit, tokens and project pages check the role themselves: an outsider is refused everything,
/// an admin may rename and read the log but not transfer, delete or export, and a viewer may not rename or read the log.
public sealed class ProjectServiceAuthorizationTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    [Fact]
    public async Task ProjectAndAuditServices_BelowTheirRole_ThrowAccessDenied_AndChangeNothing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var project = await OwnedProject.CreateAsync(web, cts.Token);
        project.Owner.Dispose();
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        var actors = new Dictionary<string, Actor>();
        foreach (var role in new[] { "outsider", "viewer", "admin" })
        {
            var (client, userId) = await web.SignUpAsync($"core-{role}-{Guid.NewGuid():N}@security.test", cts.Token);
            client.Dispose();
            if (role != "outsider")
            {
                await connection.ExecuteAsync("INSERT INTO project_members (project_id, user_id, role) VALUES (@ProjectId, @userId, @role)",
                    new { project.ProjectId, userId, role });
            }

            actors[role] = new Actor(userId);
        }

        var projects = web.Factory.Services.GetRequiredService<ProjectService>();
        var audit = web.Factory.Services.GetRequiredService<AuditLogReader>();
        var tokens = web.Factory.Services.GetRequiredService<ApiTokenService>();
        var id = project.ProjectId;
        var calls = new (string Name, string[] Refused, Func<Actor, Task> Call)[]
        {
            ("Get", ["outsider"], a => projects.GetAsync(a, id, cts.Token)),
            ("Rename", ["outsider", "viewer"], a => projects.RenameAsync(a, id, "Renamed", cts.Token)),
            ("Transfer", ["outsider", "viewer", "admin"], a => projects.TransferOwnershipAsync(a, id, actors["viewer"].UserId, cts.Token)),
            ("Delete", ["outsider", "viewer", "admin"], a => projects.DeleteAsync(a, id, project.Name, cts.Token)),
            ("Export", ["outsider", "viewer", "admin"], a => projects.ExportAsync(a, id, Stream.Null, cts.Token)),
            ("AuditPage", ["outsider", "viewer"], a => audit.PageAsync(a, id, new AuditFilter(), 1, 10, cts.Token)),
            ("AuditChoices", ["outsider", "viewer"], a => audit.ChoicesAsync(a, id, cts.Token)),
            ("AuditExport", ["outsider", "viewer"], a => audit.ExportAsync(a, id, new AuditFilter(), AuditExportFormat.Csv, Stream.Null, cts.Token)),
            ("Tokens", ["outsider"], a => tokens.ListAsync(a, id, cts.Token)),
        };

        var wrong = new List<string>();
        foreach (var (name, refused, call) in calls)
        {
            foreach (var role in refused)
            {
                try
                {
                    await call(actors[role]);
                    wrong.Add($"{name} as {role} was allowed");
                }
                catch (ProjectAccessDeniedException denied) when (denied.NotAMember == (role == "outsider"))
                {
                }
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.Equal(project.Name, await connection.ExecuteScalarAsync<string>("SELECT name FROM projects WHERE id = @id", new { id }));
        Assert.Equal(project.OwnerId, await connection.ExecuteScalarAsync<Guid>(
            "SELECT user_id FROM project_members WHERE project_id = @id AND role = 'owner'", new { id }));
    }
}

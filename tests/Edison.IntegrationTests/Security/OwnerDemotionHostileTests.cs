using Dapper;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Security;

/// Issue 18, finding 14: two owners demoting each other at the same moment leave exactly one owner, never none.
public sealed class OwnerDemotionHostileTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    private const int Rounds = 40;

    [Fact]
    public async Task ChangeRole_TwoOwnersDemoteEachOtherAtOnce_HostileProjectKeepsAnOwner()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var (client, second) = await web.SignUpAsync($"co-owner-{Guid.NewGuid():N}@security.test", cts.Token);
        client.Dispose();
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        var first = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM users WHERE is_instance_owner");
        var projectId = Guid.CreateVersion7();
        await connection.ExecuteAsync("INSERT INTO projects (id, name) VALUES (@projectId, 'Two owners')", new { projectId });
        await connection.ExecuteAsync("INSERT INTO project_members (project_id, user_id, role) VALUES (@projectId, @first, 'owner'), (@projectId, @second, 'owner')",
            new { projectId, first, second });
        var members = web.Factory.Services.GetRequiredService<ProjectMembershipService>();

        for (var round = 0; round < Rounds; round++)
        {
            await connection.ExecuteAsync("UPDATE project_members SET role = 'owner' WHERE project_id = @projectId", new { projectId });
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var demotions = new[] { (Actor: first, Target: second), (Actor: second, Target: first) }.Select(d => Task.Run(async () =>
            {
                await start.Task;
                try
                {
                    return await members.ChangeRoleAsync(new Actor(d.Actor), projectId, d.Target, ProjectRole.Admin, cts.Token) is null;
                }
                catch (ProjectAccessDeniedException)
                {
                    return false;
                }
            }, cts.Token)).ToArray();
            start.SetResult();
            var succeeded = await Task.WhenAll(demotions).WaitAsync(cts.Token);

            var owners = await connection.ExecuteScalarAsync<int>("SELECT count(*)::int FROM project_members WHERE project_id = @projectId AND role = 'owner'",
                new { projectId });
            Assert.True(owners == 1, $"round {round}: {owners} owners left, {succeeded.Count(s => s)} demotions succeeded");
        }
    }
}

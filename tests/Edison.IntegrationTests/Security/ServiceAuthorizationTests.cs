using System.Reflection;
using Dapper;
using Edison.Core.Accounts;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Security;

/// Every Core service method that acts for someone (takes an Actor) refuses an actor who is not a member of the project.
public sealed class ServiceAuthorizationTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    private static readonly Type[] Services =
        [typeof(ProjectMembershipService), typeof(InvitationService), typeof(AccountService), typeof(ApiTokenService)];

    [Fact]
    public async Task Authorization_EveryActorTakingServiceMethod_RefusesAnOutsider()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (client, outsiderId) = await web.SignUpAsync($"core-outsider-{Guid.NewGuid():N}@security.test", cts.Token);
        client.Dispose();
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        var projectId = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM projects ORDER BY created_at LIMIT 1");
        var ownerId = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM users WHERE is_instance_owner");
        var outsider = new Actor(outsiderId);

        var methods = Services.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => m.GetParameters().Any(p => p.ParameterType == typeof(Actor)))
            .ToList();
        Assert.True(methods.Count >= 5, $"Only {methods.Count} actor-taking methods found.");
        var unguarded = new List<string>();
        foreach (var method in methods)
        {
            var service = web.Factory.Services.GetRequiredService(method.DeclaringType!);
            var args = method.GetParameters().Select(object? (p) => p.ParameterType switch
            {
                var t when t == typeof(Actor) => outsider,
                var t when t == typeof(Guid) => p.Name == "userId" ? ownerId : projectId,
                var t when t == typeof(string) => "someone@security.test",
                var t when t == typeof(ProjectRole) => ProjectRole.Viewer,
                var t when t == typeof(TimeSpan) => TimeSpan.FromDays(1),
                var t when t == typeof(bool) => true,
                var t when t == typeof(CancellationToken) => cts.Token,
                var t => throw new InvalidOperationException($"{method.Name}: no test value for {t.Name}"),
            }).ToArray();
            try
            {
                await (Task)method.Invoke(service, args)!;
                unguarded.Add($"{method.DeclaringType!.Name}.{method.Name}");
            }
            catch (ProjectAccessDeniedException)
            {
            }
        }

        Assert.True(unguarded.Count == 0, "Methods that let an outsider act:\n" + string.Join("\n", unguarded));
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT count(*)::int FROM project_members WHERE role = 'owner' AND project_id = @projectId",
            new { projectId }));
    }
}

using System.Net;
using System.Net.Http.Headers;
using Dapper;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Security;

public sealed class ApiTokenTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    [Fact]
    public async Task ApiToken_Bearer_ActsWithItsRoleUntilRevoked_AndIsStoredHashed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tokens = web.Factory.Services.GetRequiredService<ApiTokenService>();
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        var ownerId = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM users WHERE is_instance_owner");
        var projectId = await connection.ExecuteScalarAsync<Guid>("SELECT project_id FROM project_members WHERE user_id = @ownerId", new { ownerId });
        var owner = new Actor(ownerId);
        var (tokenId, token) = await tokens.CreateAsync(owner, projectId, "ci", ProjectRole.Viewer, cts.Token);

        using var client = web.NewClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (var read = await client.GetAsync("/api/v1/projects", cts.Token))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        // A token opens /api/v1 only (issue 18): the pages see a visitor without a cookie.
        using (var members = await client.GetAsync("/Settings/Members", cts.Token))
        {
            Assert.Equal(HttpStatusCode.Redirect, members.StatusCode);
        }

        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT count(*)::int FROM api_tokens WHERE token_hash = @token", new { token }));
        Assert.NotNull(await connection.ExecuteScalarAsync<DateTime?>("SELECT last_used_at FROM api_tokens WHERE id = @tokenId", new { tokenId }));

        await tokens.RevokeAsync(owner, tokenId, cts.Token);
        using var revoked = await client.GetAsync("/api/v1/projects", cts.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);

        // A member cannot mint a token above their own role.
        var (viewerClient, viewerId) = await web.SignUpAsync($"token-viewer-{Guid.NewGuid():N}@security.test", cts.Token);
        viewerClient.Dispose();
        await connection.ExecuteAsync("INSERT INTO project_members (project_id, user_id, role) VALUES (@projectId, @viewerId, 'viewer')",
            new { projectId, viewerId });
        await Assert.ThrowsAsync<ProjectAccessDeniedException>(() =>
            tokens.CreateAsync(new Actor(viewerId), projectId, "too strong", ProjectRole.Editor, cts.Token));
    }
}

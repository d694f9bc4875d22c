using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Dapper;

namespace Edison.IntegrationTests.Security;

/// The API tokens page: a member creates a token up to their own role and sees its value exactly once; revoking it (htmx)
/// makes the bearer token answer 401; members see only their own tokens and admins everyone's.
public sealed partial class ApiTokensPageTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    [Fact]
    public async Task Token_CreatedOnThePage_IsShownOnce_WorksAsBearer_AndAfterRevokeAnswers401()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var (editor, editorId) = await web.SignUpAsync($"token-editor-{Guid.NewGuid():N}@security.test", cts.Token);
        using var _ = editor;
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        var projectId = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM projects ORDER BY created_at LIMIT 1");
        await connection.ExecuteAsync("INSERT INTO project_members (project_id, user_id, role) VALUES (@projectId, @editorId, 'editor')",
            new { projectId, editorId });
        var name = $"ci-{Guid.NewGuid():N}";

        var antiforgery = await SecureWebFixture.TokenAsync(editor, "/Settings/Tokens", cts.Token);
        using var tooStrong = await editor.PostAsync("/Settings/Tokens?handler=Create",
            SecureWebFixture.Form(antiforgery, ("TokenName", "too strong"), ("TokenRole", "Admin")), cts.Token);
        var refusedHtml = await tooStrong.Content.ReadAsStringAsync(cts.Token);
        Assert.Contains("up to your own (editor)", refusedHtml, StringComparison.Ordinal);
        Assert.DoesNotMatch(TokenValue(), refusedHtml);

        using var created = await editor.PostAsync("/Settings/Tokens?handler=Create",
            SecureWebFixture.Form(antiforgery, ("TokenName", name), ("TokenRole", "Editor")), cts.Token);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.True(created.Headers.CacheControl?.NoStore);
        var html = await created.Content.ReadAsStringAsync(cts.Token);
        var token = TokenValue().Match(html).Value;
        Assert.StartsWith("edison_", token, StringComparison.Ordinal);
        Assert.Contains("data-copy=\"new-token\"", html, StringComparison.Ordinal);
        Assert.Contains("Authorization: Bearer", html, StringComparison.Ordinal);

        var later = await editor.GetStringAsync("/Settings/Tokens", cts.Token);
        Assert.Contains(name, later, StringComparison.Ordinal);
        Assert.DoesNotContain(token, later, StringComparison.Ordinal);

        using var bearer = web.NewClient();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (var listed = await bearer.GetAsync("/api/v1/experiments/", cts.Token))
        {
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        }

        // Admins see every member's tokens; another member sees none of the editor's.
        using var owner = await web.SignInAsync(SecureWebFixture.OwnerEmail, cts.Token);
        Assert.Contains(name, await owner.GetStringAsync("/Settings/Tokens", cts.Token), StringComparison.Ordinal);
        var (viewer, viewerId) = await web.SignUpAsync($"token-viewer-{Guid.NewGuid():N}@security.test", cts.Token);
        using var __ = viewer;
        await connection.ExecuteAsync("INSERT INTO project_members (project_id, user_id, role) VALUES (@projectId, @viewerId, 'viewer')",
            new { projectId, viewerId });
        Assert.DoesNotContain(name, await viewer.GetStringAsync("/Settings/Tokens", cts.Token), StringComparison.Ordinal);

        var tokenId = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM api_tokens WHERE name = @name", new { name });
        using var revoke = new HttpRequestMessage(HttpMethod.Post, $"/Settings/Tokens?handler=Revoke&tokenId={tokenId}");
        revoke.Headers.Add("HX-Request", "true");
        revoke.Headers.Add("RequestVerificationToken", antiforgery);
        using (var revoked = await editor.SendAsync(revoke, cts.Token))
        {
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
            var row = await revoked.Content.ReadAsStringAsync(cts.Token);
            Assert.StartsWith($"<tr id=\"token-{tokenId}\"", row.Trim(), StringComparison.Ordinal);
            Assert.Contains("revoked", row, StringComparison.Ordinal);
        }

        using var afterRevoke = await bearer.GetAsync("/api/v1/experiments/", cts.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);
    }

    [GeneratedRegex("edison_[A-Za-z0-9_-]{43}")]
    private static partial Regex TokenValue();
}

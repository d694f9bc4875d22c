using System.Net;
using Dapper;
using Edison.Core.Accounts;
using Edison.Core.Experiments;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Security;

/// Issue 18, finding 11: an invitation admits only the address it was sent to, and signing up through one on a closed instance
/// never leaves an account that joined nothing. Its own fixture, because it closes public sign-up.
public sealed class InvitationHostileTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    [Fact]
    public async Task Invitation_UsedByAnotherAddress_HostileIsRefusedAndCreatesNoMemberlessAccount()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        var ownerId = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM users WHERE is_instance_owner");
        var projectId = await web.Factory.Services.GetRequiredService<ExperimentService>().DefaultProjectIdAsync(cts.Token);
        var (bystander, bystanderId) = await web.SignUpAsync($"bystander-{Guid.NewGuid():N}@security.test", cts.Token);
        await connection.ExecuteAsync("UPDATE instance_settings SET public_sign_up = false");
        var invited = $"invited-{Guid.NewGuid():N}@security.test";
        var intruder = $"intruder-{Guid.NewGuid():N}@security.test";
        var invitation = await web.Factory.Services.GetRequiredService<InvitationService>().CreateAsync(new Actor(ownerId), projectId, invited,
            ProjectRole.Editor, TimeSpan.FromDays(1), cts.Token);

        // A signed-in account with another address cannot use the link.
        var token = await SecureWebFixture.TokenAsync(bystander, $"/Account/Invitation?token={invitation.Token}", cts.Token);
        using (var joined = await bystander.PostAsync("/Account/Invitation", SecureWebFixture.Form(token, ("Token", invitation.Token)), cts.Token))
        {
            Assert.Equal(HttpStatusCode.OK, joined.StatusCode);
            Assert.Contains("invitation-wrong-account", await joined.Content.ReadAsStringAsync(cts.Token), StringComparison.Ordinal);
        }

        // Nor can someone sign up through it with another address: no account is created.
        using var stranger = web.NewClient();
        var signUp = $"/Account/SignUp?invitation={Uri.EscapeDataString(invitation.Token)}";
        token = await SecureWebFixture.TokenAsync(stranger, signUp, cts.Token);
        using (var refused = await stranger.PostAsync(signUp, SecureWebFixture.Form(token, ("Email", intruder), ("Password", SecureWebFixture.Password),
            ("Invitation", invitation.Token)), cts.Token))
        {
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            Assert.Contains("another e-mail address", await refused.Content.ReadAsStringAsync(cts.Token), StringComparison.Ordinal);
        }

        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT count(*)::int FROM users WHERE normalized_email = upper(@intruder)", new { intruder }));
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT count(*)::int FROM project_members WHERE user_id = @bystanderId AND project_id = @projectId",
            new { bystanderId, projectId }));

        // The invited address joins, once.
        using var invitee = web.NewClient();
        token = await SecureWebFixture.TokenAsync(invitee, signUp, cts.Token);
        using (var accepted = await invitee.PostAsync(signUp, SecureWebFixture.Form(token, ("Email", invited.ToUpperInvariant()), ("Password", SecureWebFixture.Password),
            ("Invitation", invitation.Token)), cts.Token))
        {
            Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        }

        Assert.Equal("editor", await connection.ExecuteScalarAsync<string>("""
            SELECT m.role FROM project_members m JOIN users u ON u.id = m.user_id WHERE u.normalized_email = upper(@invited) AND m.project_id = @projectId
            """, new { invited, projectId }));
    }
}

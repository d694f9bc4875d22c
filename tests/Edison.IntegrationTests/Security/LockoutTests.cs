using System.Net;
using Dapper;

namespace Edison.IntegrationTests.Security;

public sealed class LockoutTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    [Fact]
    public async Task SignIn_WrongPasswordMaxTimes_LocksTheAccountEvenForTheRightPassword()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var email = $"lockout-{Guid.NewGuid():N}@security.test";
        var (signedUp, userId) = await web.SignUpAsync(email, cts.Token);
        signedUp.Dispose();

        using var client = web.NewClient();
        for (var attempt = 1; attempt <= SecureWebFixture.MaxFailedAttempts; attempt++)
        {
            var token = await SecureWebFixture.TokenAsync(client, "/Account/SignIn", cts.Token);
            using var wrong = await client.PostAsync("/Account/SignIn",
                SecureWebFixture.Form(token, ("Email", email), ("Password", "not the password at all")), cts.Token);
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        var last = await SecureWebFixture.TokenAsync(client, "/Account/SignIn", cts.Token);
        using var right = await client.PostAsync("/Account/SignIn", SecureWebFixture.Form(last, ("Email", email), ("Password", SecureWebFixture.Password)),
            cts.Token);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("locked", await right.Content.ReadAsStringAsync(cts.Token), StringComparison.Ordinal);
        using var home = await client.GetAsync("/", cts.Token);
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.StartsWith("/Account/SignIn", home.Headers.Location!.AbsolutePath, StringComparison.Ordinal);

        // Locked for this client only (issue 18, finding 12): the account itself locks only after guesses from many addresses
        // (SignInHostileTests), so knowing someone's address is not enough to lock them out.
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        var lockoutEnd = await connection.ExecuteScalarAsync<DateTime?>("SELECT lockout_end FROM users WHERE id = @userId", new { userId });
        Assert.Null(lockoutEnd);
    }

    [Fact]
    public async Task SignOutEverywhere_NewSecurityStamp_EndsOtherSessions()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var email = $"stamp-{Guid.NewGuid():N}@security.test";
        var (first, _) = await web.SignUpAsync(email, cts.Token);
        using var second = await web.SignInAsync(email, cts.Token);
        using (first)
        {
            var token = await SecureWebFixture.TokenAsync(first, "/Account/ChangePassword", cts.Token);
            using var everywhere = await first.PostAsync("/Account/ChangePassword?handler=SignOutEverywhere", SecureWebFixture.Form(token), cts.Token);
            Assert.Equal(HttpStatusCode.Redirect, everywhere.StatusCode);
        }

        using var after = await second.GetAsync("/Account/ChangePassword", cts.Token);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/Account/SignIn", after.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
    }
}

extern alias web;

using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Edison.IntegrationTests.Security;

/// Issue 18, finding 12: the sign-in form tells nobody which accounts exist (same words, same work) and nobody can lock a
/// known account out by guessing from their own address; only guessing from many addresses locks the account itself.
public sealed partial class SignInHostileTests(SecureWebFixture web, ITestOutputHelper output) : IClassFixture<SecureWebFixture>
{
    private const string ClientHeader = "X-Test-Client-Address";
    private const int AccountWide = 6;

    [Fact]
    public async Task SignIn_UnknownWrongAndLockedOut_HostileLookAlikeAndDoNotLockOutTheOwner()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var victim = $"victim-{Guid.NewGuid():N}@security.test";
        (await web.SignUpAsync(victim, cts.Token)).Client.Dispose();
        await using var addressed = web.Factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Edison:Security:AccountLockoutAttempts", AccountWide.ToString(System.Globalization.CultureInfo.InvariantCulture));
            b.ConfigureServices(s => s.AddSingleton<IStartupFilter, ClientAddressFromHeader>());
        });

        // Timing: an unknown address costs as much as a wrong password (one hash each).
        var known = new List<double>();
        var unknown = new List<double>();
        for (var i = 0; i < SecureWebFixture.MaxFailedAttempts - 1; i++)
        {
            known.Add((await AttemptAsync(addressed, "10.0.0.8", victim, "wrong password here", cts.Token)).Elapsed.TotalMilliseconds);
            unknown.Add((await AttemptAsync(addressed, "10.0.0.8", $"nobody-{Guid.NewGuid():N}@security.test", "wrong password here", cts.Token)).Elapsed.TotalMilliseconds);
        }

        output.WriteLine($"wrong password {string.Join(", ", known.Select(t => $"{t:F0}"))} ms; unknown address {string.Join(", ", unknown.Select(t => $"{t:F0}"))} ms");
        Assert.True(unknown.Min() > 0.4 * known.Min(), $"an unknown address answers in {unknown.Min():F0} ms, a wrong password in {known.Min():F0} ms");

        // An attacker who knows the address locks only themselves out; every refusal reads the same.
        var messages = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i <= SecureWebFixture.MaxFailedAttempts; i++)
        {
            messages.Add((await AttemptAsync(addressed, "10.0.0.66", victim, $"guess {i}", cts.Token)).Message);
        }

        messages.Add((await AttemptAsync(addressed, "10.0.0.66", victim, SecureWebFixture.Password, cts.Token)).Message);
        messages.Add((await AttemptAsync(addressed, "10.0.0.66", $"nobody-{Guid.NewGuid():N}@security.test", "guess", cts.Token)).Message);
        Assert.Single(messages);
        Assert.Equal("", (await AttemptAsync(addressed, "10.0.0.7", victim, SecureWebFixture.Password, cts.Token)).Message);

        // Guessing spread over many addresses locks the account itself, for everyone.
        for (var i = 0; i < AccountWide; i++)
        {
            await AttemptAsync(addressed, $"10.0.1.{i + 1}", victim, $"spray {i}", cts.Token);
        }

        Assert.Equal(messages.Single(), (await AttemptAsync(addressed, "10.0.0.7", victim, SecureWebFixture.Password, cts.Token)).Message);
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        Assert.True(await connection.ExecuteScalarAsync<DateTime?>("SELECT lockout_end FROM users WHERE normalized_email = upper(@victim)", new { victim })
            > DateTime.UtcNow.AddMinutes(1));
    }

    /// The sign-in page's error ("" when it signed in), and how long the POST took.
    private static async Task<(string Message, TimeSpan Elapsed)> AttemptAsync(WebApplicationFactory<web::Program> factory, string address, string email,
        string password, CancellationToken cancellationToken)
    {
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.Add(ClientHeader, address);
        var token = await SecureWebFixture.TokenAsync(client, "/Account/SignIn", cancellationToken);
        using var form = SecureWebFixture.Form(token, ("Email", email), ("Password", password));
        var watch = Stopwatch.StartNew();
        using var response = await client.PostAsync("/Account/SignIn", form, cancellationToken);
        watch.Stop();
        if (response.StatusCode == HttpStatusCode.Redirect)
        {
            return ("", watch.Elapsed);
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var match = SignInError().Match(await response.Content.ReadAsStringAsync(cancellationToken));
        Assert.True(match.Success, "no sign-in error on the page");
        return (WebUtility.HtmlDecode(match.Groups[1].Value), watch.Elapsed);
    }

    [GeneratedRegex("id=\"sign-in-error\">([^<]*)<")]
    private static partial Regex SignInError();

    /// Test-only: the client address comes from a header, so one in-process server can play several clients.
    private sealed class ClientAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                if (context.Request.Headers.TryGetValue(ClientHeader, out var value) && IPAddress.TryParse(value, out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }

                return following(context);
            });
            next(app);
        };
    }
}

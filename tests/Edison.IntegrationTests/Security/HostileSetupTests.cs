extern alias web;
using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Edison.Core;
using Edison.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Edison.IntegrationTests.Security;

/// Issue 14, finding 5: whoever reaches a fresh instance first must not own it. Setup asks for the one-time token the web app
/// prints in its log; without it (or with a wrong one) no account is created.
public sealed partial class HostileSetupTests
{
    [Fact]
    public async Task HostileSetup_WithoutOrWithAWrongToken_CreatesNoAccount_TheTokenFromTheLogSetsItUp()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var database = await TestDatabase.CreateAsync(cts.Token);
        var redisPrefix = TestEnvironment.NewRedisPrefix();
        using var logs = new LogCollector();
        await using var factory = new WebApplicationFactory<web::Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting($"ConnectionStrings:{CoreRegistration.DatabaseConnectionName}", database.ConnectionString);
            b.UseSetting($"ConnectionStrings:{CoreRegistration.RedisConnectionName}", TestEnvironment.RedisConnectionStringWithPrefix(redisPrefix));
            b.UseSetting("Edison:Redis:KeyPrefix", redisPrefix);
            b.UseSetting("Edison:Security:RateLimitsEnabled", "false");
            b.UseSetting("hostBuilder:reloadConfigOnChange", "false");
            b.ConfigureLogging(l => l.AddProvider(logs));
        });
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        var page = await client.GetStringAsync("/Setup", cts.Token);
        Assert.Contains("Setup token", page, StringComparison.Ordinal);
        Assert.Contains("printed in the web app", page, StringComparison.Ordinal);

        foreach (var presented in new[] { "", "0123456789abcdef0123456789abcdef" })
        {
            var antiforgery = await SecureWebFixture.TokenAsync(client, "/Setup", cts.Token);
            using var refused = await client.PostAsync("/Setup", SecureWebFixture.Form(antiforgery, ("Token", presented),
                ("Email", "first-comer@setup.test"), ("Password", SecureWebFixture.Password)), cts.Token);
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            Assert.Contains("setup token", await refused.Content.ReadAsStringAsync(cts.Token), StringComparison.OrdinalIgnoreCase);
        }

        await using (var connection = await database.DataSource.OpenConnectionAsync(cts.Token))
        {
            Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM users"));
            Assert.False(await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM instance_settings)"));
        }

        // A person copies the token from the web app's log line.
        var printed = await Poll.UntilAsync("the setup token in the web app's log",
            _ => Task.FromResult(logs.Entries.Select(e => TokenInLog().Match(e.Message)).FirstOrDefault(m => m.Success)),
            m => m is not null, cts.Token);
        var setupToken = printed!.Groups[1].Value;
        var form = await SecureWebFixture.TokenAsync(client, "/Setup", cts.Token);
        using var accepted = await client.PostAsync("/Setup", SecureWebFixture.Form(form, ("Token", setupToken),
            ("Email", "owner@setup.test"), ("Password", SecureWebFixture.Password)), cts.Token);
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);

        await using (var connection = await database.DataSource.OpenConnectionAsync(cts.Token))
        {
            Assert.Equal(["owner@setup.test"], (await connection.QueryAsync<string>("SELECT email FROM users")).ToArray());
            Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM setup_token"));
        }

        using var after = await client.GetAsync("/Setup", cts.Token);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [GeneratedRegex("enter the setup token ([0-9a-f]{32})")]
    private static partial Regex TokenInLog();
}

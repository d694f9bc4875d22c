using System.Net;
using System.Net.Http.Headers;
using Dapper;
using Edison.Core.Accounts;
using Edison.Core.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Security;

/// Issue 18 ("Hostile input II"), findings 2–4: what a same-site page, a viewer token and another project's id can reach.
public sealed class HostileAccessTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    // Finding 2: a same-site page auto-posted a form to the API with the editor's cookie and started a paid run (202).
    [Fact]
    public async Task HostileCsrf_CookieFormPostToTheApi_StartsNothing_WhileTheTokenHeaderStillWorks()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var scenario = await SecurityScenario.CreateAsync(web, cts.Token);
        var editor = scenario.Members[ProjectRole.Editor];
        var url = $"/api/v1/experiments/{scenario.ExperimentId}/iterations";
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        var before = await IterationsAsync(connection, scenario.ExperimentId);

        // What a hostile page's <form method="post"> sends: the cookie, a form body, no antiforgery token.
        using (var forged = await editor.PostAsync(url, new FormUrlEncodedContent([KeyValuePair.Create("x", "1")]), cts.Token))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
            Assert.Equal("application/problem+json", forged.Content.Headers.ContentType?.MediaType);
        }

        using (var forgedJson = await editor.PostAsync(url, new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), cts.Token))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forgedJson.StatusCode);
        }

        Assert.Equal(before, await IterationsAsync(connection, scenario.ExperimentId));

        // The app's own pages send the token as a header; that request is honoured.
        var token = await SecureWebFixture.TokenAsync(editor, "/Account/ChangePassword", cts.Token);
        using var genuine = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        genuine.Headers.Add("RequestVerificationToken", token);
        using var started = await editor.SendAsync(genuine, cts.Token);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal(before + 1, await IterationsAsync(connection, scenario.ExperimentId));
    }

    // Finding 3: GET /api/v1/checks/{checkId} answered another project's check to a viewer token ("checkId" was not mapped).
    [Fact]
    public async Task HostileIdor_ViewerTokenReadingAnotherProjectsCheck_Answers404()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var scenario = await SecurityScenario.CreateAsync(web, cts.Token);
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        var ownerId = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM users WHERE is_instance_owner");
        var ownCheck = await CheckAsync(connection, scenario.ExperimentId);
        var otherCheck = await CheckAsync(connection, scenario.OtherProjectExperimentId);
        var (_, viewerToken) = await web.Factory.Services.GetRequiredService<ApiTokenService>()
            .CreateAsync(new Actor(ownerId), scenario.ProjectId, "dashboard", ProjectRole.Viewer, cts.Token);
        using var viewer = web.NewClient();
        viewer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", viewerToken);

        using (var own = await viewer.GetAsync($"/api/v1/checks/{ownCheck}", cts.Token))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }

        using var other = await viewer.GetAsync($"/api/v1/checks/{otherCheck}", cts.Token);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.DoesNotContain(otherCheck.ToString(), await other.Content.ReadAsStringAsync(cts.Token), StringComparison.Ordinal);
    }

    // Finding 4: a leaked viewer token opened the UI (minted a new token on /Settings/Tokens), ChangePassword let a session guess
    // the password without limit, and tokens outlived a password change.
    [Fact]
    public async Task HostileToken_OpensNoPage_PasswordGuessesLockOut_AndAPasswordChangeEndsTheTokens()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var email = $"token-victim-{Guid.NewGuid():N}@security.test";
        var (victim, victimId) = await web.SignUpAsync(email, cts.Token);
        using var _ = victim;
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        var projectId = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM projects ORDER BY created_at LIMIT 1");
        await connection.ExecuteAsync("INSERT INTO project_members (project_id, user_id, role) VALUES (@projectId, @victimId, 'viewer')",
            new { projectId, victimId });
        var (_, token) = await web.Factory.Services.GetRequiredService<ApiTokenService>()
            .CreateAsync(new Actor(victimId), projectId, "leaked", ProjectRole.Viewer, cts.Token);
        using var thief = web.NewClient();
        thief.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using (var api = await thief.GetAsync("/api/v1/projects", cts.Token))
        {
            Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        }

        foreach (var page in new[] { "/Settings/Tokens", "/Account/ChangePassword", "/Experiments" })
        {
            using var response = await thief.GetAsync(page, cts.Token);
            Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Unauthorized,
                $"{page} answered {(int)response.StatusCode} to a bearer token");
        }

        // Wrong current passwords lock the account: afterwards even the right one is refused on the page.
        var antiforgery = await SecureWebFixture.TokenAsync(victim, "/Account/ChangePassword", cts.Token);
        for (var i = 0; i < SecureWebFixture.MaxFailedAttempts; i++)
        {
            using var guess = await victim.PostAsync("/Account/ChangePassword",
                SecureWebFixture.Form(antiforgery, ("CurrentPassword", $"guess number {i} of many"), ("NewPassword", "an entirely new passphrase")), cts.Token);
            Assert.Equal(HttpStatusCode.OK, guess.StatusCode);
        }

        using (var locked = await victim.PostAsync("/Account/ChangePassword",
            SecureWebFixture.Form(antiforgery, ("CurrentPassword", SecureWebFixture.Password), ("NewPassword", "an entirely new passphrase")), cts.Token))
        {
            Assert.Contains("Too many wrong passwords", await locked.Content.ReadAsStringAsync(cts.Token), StringComparison.Ordinal);
        }

        // The lock is per account and address (issue 18, finding 12): it binds this session, and nobody can lock the owner out
        // everywhere by guessing. The owner, elsewhere, changes the password (the page's own UserManager path), and the leaked
        // token dies with the old password.
        await using (var scope = web.Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<EdisonUser>>();
            var user = await users.FindByIdAsync(victimId.ToString());
            Assert.NotNull(user);
            Assert.False(await users.IsLockedOutAsync(user), "three guesses from one session locked the owner out everywhere");
            Assert.True((await users.ChangePasswordAsync(user, SecureWebFixture.Password, "an entirely new passphrase")).Succeeded);
        }

        using var afterChange = await thief.GetAsync("/api/v1/projects", cts.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, afterChange.StatusCode);
    }

    // Finding 5 (its Quick-form part): an editor created an OpenAI-compatible credential, pointed anywhere, through the Quick form.
    [Fact]
    public async Task HostileSsrf_EditorOnTheQuickForm_CannotAddAnEndpoint()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var scenario = await SecurityScenario.CreateAsync(web, cts.Token);
        var editor = scenario.Members[ProjectRole.Editor];
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        var before = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM provider_credentials");
        var form = await SecureWebFixture.TokenAsync(editor, "/Experiments/Quick", cts.Token);

        using var response = await editor.PostAsync("/Experiments/Quick", SecureWebFixture.Form(form, ("Form.Name", "Probe"),
            ("Form.Goal", "Answer."), ("Form.CriterionName", "Helpful"), ("Form.CriterionDescription", "Helps."),
            ("Form.PromptTemplate", "Answer: {{ question }}"), ("Form.CasesJsonl", "{\"question\": \"hi\"}"),
            ("Form.BaseUrl", "http://10.0.0.7:8080/v1"), ("Form.ApiKey", "sk-editor-probe"), ("Form.Model", "m"), ("Form.JudgeModel", "j")), cts.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Only an admin can add a new endpoint", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(cts.Token)),
            StringComparison.Ordinal);
        Assert.Equal(before, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM provider_credentials"));
    }

    private static Task<long> IterationsAsync(Npgsql.NpgsqlConnection connection, Guid experimentId) =>
        connection.ExecuteScalarAsync<long>("SELECT count(*) FROM iterations WHERE experiment_id = @experimentId", new { experimentId });

    // A finished CI check on the experiment: an iteration of its first prompt version, and the check row naming it.
    private static async Task<Guid> CheckAsync(Npgsql.NpgsqlConnection connection, Guid experimentId)
    {
        var iterationId = await connection.ExecuteScalarAsync<Guid>("""
            INSERT INTO iterations (id, experiment_id, number, prompt_version_id, dataset_version_id, status)
            SELECT @id, e.id, 2000 + (SELECT count(*) FROM iterations WHERE experiment_id = e.id),
                   (SELECT id FROM prompt_versions WHERE experiment_id = e.id LIMIT 1),
                   (SELECT dv.id FROM dataset_versions dv JOIN datasets d ON d.id = dv.dataset_id WHERE d.experiment_id = e.id LIMIT 1), 'completed'
            FROM experiments e WHERE e.id = @experimentId
            RETURNING id
            """, new { id = Guid.CreateVersion7(), experimentId });
        return await connection.ExecuteScalarAsync<Guid>("""
            INSERT INTO ci_checks (id, experiment_id, iteration_id, prompt_version_id, threshold)
            SELECT @id, @experimentId, @iterationId, prompt_version_id, 0.8 FROM iterations WHERE id = @iterationId
            RETURNING id
            """, new { id = Guid.CreateVersion7(), experimentId, iterationId });
    }
}

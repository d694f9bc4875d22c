using System.Net;

namespace Edison.IntegrationTests.Security;

public sealed class AntiforgeryTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    [Fact]
    public async Task Antiforgery_HtmxPostWithoutOrWithForeignToken_IsRejected()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var owner = await web.SignInAsync(SecureWebFixture.OwnerEmail, cts.Token);
        var (attacker, _) = await web.SignUpAsync($"attacker-{Guid.NewGuid():N}@security.test", cts.Token);
        using var _ = attacker;
        var foreignToken = await SecureWebFixture.TokenAsync(attacker, "/Account/ChangePassword", cts.Token);
        var url = $"/Experiments/Details/{Guid.CreateVersion7()}?handler=Start";

        Assert.Equal(HttpStatusCode.BadRequest, await PostHtmxAsync(owner, url, headerToken: null, cts.Token));
        Assert.Equal(HttpStatusCode.BadRequest, await PostHtmxAsync(owner, url, foreignToken, cts.Token));

        // The same request with the owner's own token, sent in the header the way htmx sends it, passes antiforgery and reaches
        // the role check (the experiment does not exist: 404).
        var ownToken = await SecureWebFixture.TokenAsync(owner, "/Account/ChangePassword", cts.Token);
        Assert.Equal(HttpStatusCode.NotFound, await PostHtmxAsync(owner, url, ownToken, cts.Token));
    }

    [Fact]
    public async Task Antiforgery_LayoutCarriesTheTokenForHtmx_AndTheCspForbidsInlineScript()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var owner = await web.SignInAsync(SecureWebFixture.OwnerEmail, cts.Token);
        using var response = await owner.GetAsync("/", cts.Token);
        var html = await response.Content.ReadAsStringAsync(cts.Token);
        Assert.Contains("name=\"htmx-config\"", html, StringComparison.Ordinal);
        Assert.Contains("antiForgery", html, StringComparison.Ordinal);
        Assert.Contains("/_htmx/antiforgery.js", html, StringComparison.Ordinal);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        using var script = await owner.GetAsync("/_htmx/antiforgery.js", cts.Token);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    private static async Task<HttpStatusCode> PostHtmxAsync(HttpClient client, string url, string? headerToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent([]) };
        request.Headers.Add("HX-Request", "true");
        if (headerToken is not null)
        {
            request.Headers.Add("RequestVerificationToken", headerToken);
        }

        using var response = await client.SendAsync(request, cancellationToken);
        return response.StatusCode;
    }
}

using System.Net;
using System.Net.Http.Headers;

namespace Edison.IntegrationTests.Security;

/// A request body over Edison:Uploads:MaxRequestBodyMegabytes (20 MB by default) is answered with a page or problem that names
/// the limit, not a bare 413 or a misleading "form expired".
public sealed class UploadLimitTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    private const int OverLimit = 21 * 1024 * 1024;

    [Fact]
    public async Task Upload_OverTheLimit_AnswersAPageNamingTheLimit()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var owner = await web.SignInAsync(SecureWebFixture.OwnerEmail, cts.Token);
        var token = await SecureWebFixture.TokenAsync(owner, "/Settings/Tokens", cts.Token);

        using var response = await owner.PostAsync("/Settings/Tokens?handler=Create",
            SecureWebFixture.Form(token, ("TokenName", new string('x', OverLimit))), cts.Token);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync(cts.Token);
        Assert.Contains("Too large", html, StringComparison.Ordinal);
        Assert.Contains("limit of 20 MB", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiUpload_OverTheLimit_AnswersAProblemNamingTheLimit()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var owner = await web.SignInAsync(SecureWebFixture.OwnerEmail, cts.Token);
        using var body = new ByteArrayContent(new byte[OverLimit]);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/zip");

        using var response = await owner.PostAsync("/api/v1/bundles", body, cts.Token);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("limit of 20 MB", await response.Content.ReadAsStringAsync(cts.Token), StringComparison.Ordinal);
    }
}

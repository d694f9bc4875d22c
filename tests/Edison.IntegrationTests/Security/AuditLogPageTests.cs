using System.Net;
using System.Text.Json;

namespace Edison.IntegrationTests.Security;

/// The audit log page: its URL filters narrow the rows, both exports carry exactly the filtered rows, and a provider key planted
/// through the Credentials page appears in neither the page nor an export.
public sealed class AuditLogPageTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    [Fact]
    public async Task AuditLog_FiltersAndExports_ShowTheMatchingRows_AndNeverAPlantedKey()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var owner = await web.SignInAsync(SecureWebFixture.OwnerEmail, cts.Token);
        var planted = $"sk-planted-{Guid.NewGuid():N}";
        var probe = $"audit-probe-{Guid.NewGuid():N}";

        var credentialToken = await SecureWebFixture.TokenAsync(owner, "/Settings/Credentials", cts.Token);
        using (var credential = await owner.PostAsync("/Settings/Credentials?handler=Create", SecureWebFixture.Form(credentialToken,
                   ("Form.Name", "Planted"), ("Form.Provider", "openai"), ("Form.ApiKey", planted)), cts.Token))
        {
            Assert.Equal(HttpStatusCode.Redirect, credential.StatusCode);
        }

        var tokensToken = await SecureWebFixture.TokenAsync(owner, "/Settings/Tokens", cts.Token);
        using (var created = await owner.PostAsync("/Settings/Tokens?handler=Create", SecureWebFixture.Form(tokensToken,
                   ("TokenName", probe), ("TokenRole", "Viewer")), cts.Token))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        var page = await GetTextAsync(owner, "/Settings/Audit", cts.Token);
        Assert.Contains(probe, page, StringComparison.Ordinal);
        Assert.Contains("api-token.created", page, StringComparison.Ordinal);
        Assert.Contains(SecureWebFixture.OwnerEmail, page, StringComparison.Ordinal);

        Assert.Contains(probe, await GetTextAsync(owner, $"/Settings/Audit?act=api-token.created&entity=api-token&q={probe}", cts.Token),
            StringComparison.Ordinal);
        Assert.DoesNotContain(probe, await GetTextAsync(owner, "/Settings/Audit?act=member.removed", cts.Token), StringComparison.Ordinal);
        Assert.DoesNotContain(probe, await GetTextAsync(owner, "/Settings/Audit?user=nobody@security.test", cts.Token), StringComparison.Ordinal);
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(probe, await GetTextAsync(owner, $"/Settings/Audit?from={today}&to={today}&user={SecureWebFixture.OwnerEmail}", cts.Token),
            StringComparison.Ordinal);
        var old = await GetTextAsync(owner, "/Settings/Audit?to=2000-01-01", cts.Token);
        Assert.DoesNotContain(probe, old, StringComparison.Ordinal);
        Assert.Contains("No matching changes", old, StringComparison.Ordinal);

        using (var csv = await owner.GetAsync($"/Settings/Audit?handler=Csv&q={probe}", cts.Token))
        {
            Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
            Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
            Assert.Equal("attachment", csv.Content.Headers.ContentDisposition?.DispositionType);
            var lines = (await csv.Content.ReadAsStringAsync(cts.Token)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("time,user,action,entity_type,entity_id,before,after,request_id", lines[0]);
            var row = Assert.Single(lines[1..]);
            Assert.Contains($"{SecureWebFixture.OwnerEmail},api-token.created,api-token,", row, StringComparison.Ordinal);
            Assert.Contains(probe, row, StringComparison.Ordinal);
        }

        using (var jsonl = await owner.GetAsync($"/Settings/Audit?handler=JsonLines&act=api-token.created&q={probe}", cts.Token))
        {
            Assert.Equal(HttpStatusCode.OK, jsonl.StatusCode);
            var line = Assert.Single((await jsonl.Content.ReadAsStringAsync(cts.Token)).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            using var json = JsonDocument.Parse(line);
            Assert.Equal("api-token.created", json.RootElement.GetProperty("action").GetString());
            Assert.Equal(probe, json.RootElement.GetProperty("after").GetProperty("name").GetString());
            Assert.Equal("viewer", json.RootElement.GetProperty("after").GetProperty("role").GetString());
            Assert.Equal(SecureWebFixture.OwnerEmail, json.RootElement.GetProperty("user").GetString());
        }

        // Unfiltered, everything the project recorded (credential changes included, once audited) is exported, without the key.
        var everything = await GetTextAsync(owner, "/Settings/Audit?handler=Csv", cts.Token) + await GetTextAsync(owner, "/Settings/Audit?handler=JsonLines", cts.Token);
        Assert.Contains(probe, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(planted, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(planted, page, StringComparison.Ordinal);
        Assert.DoesNotContain(planted, await GetTextAsync(owner, "/Settings/Audit?q=Planted", cts.Token), StringComparison.Ordinal);
    }

    private static async Task<string> GetTextAsync(HttpClient client, string url, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(url, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }
}

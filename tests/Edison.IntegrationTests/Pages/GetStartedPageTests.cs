using System.Text.RegularExpressions;
using Dapper;
using Edison.Core.Experiments;
using Edison.IntegrationTests.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Pages;

/// A project with no provider credential and no local model sends "new experiment" to the first-run page, which explains
/// both options (a provider key under Settings → Credentials, or a local model with its size on disk and its limits);
/// once a credential exists, the experiments page leads straight to the new-experiment form.
public sealed partial class GetStartedPageTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    [Fact]
    public async Task ExperimentsIndex_NoProviderYet_LeadsToTheFirstRunPageUntilACredentialExists()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var owner = await web.SignInAsync(SecureWebFixture.OwnerEmail, cts.Token);

        var index = await owner.GetStringAsync("/", cts.Token);
        Assert.Contains("id=\"first-run\"", index, StringComparison.Ordinal);
        Assert.Contains("href=\"/GetStarted\"", NewExperimentLink().Match(index).Value, StringComparison.Ordinal);

        var firstRun = await owner.GetStringAsync("/GetStarted", cts.Token);
        Assert.Contains("id=\"provider-needed\"", firstRun, StringComparison.Ordinal);
        Assert.Contains("Settings → Credentials", firstRun, StringComparison.Ordinal);
        Assert.Contains("href=\"/Settings/Credentials\"", firstRun, StringComparison.Ordinal);
        Assert.Contains("1.1 MB on disk", firstRun, StringComparison.Ordinal);
        Assert.Contains("only good enough to try", firstRun, StringComparison.Ordinal);

        var projectId = await web.Factory.Services.GetRequiredService<ExperimentService>().DefaultProjectIdAsync(cts.Token);
        await using (var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token))
        {
            await connection.ExecuteAsync("""
                INSERT INTO provider_credentials (id, project_id, name, provider, base_url) VALUES (@id, @projectId, 'ollama', 'ollama', 'http://127.0.0.1:9')
                """, new { id = Guid.CreateVersion7(), projectId });
        }

        index = await owner.GetStringAsync("/", cts.Token);
        Assert.DoesNotContain("id=\"first-run\"", index, StringComparison.Ordinal);
        Assert.Contains("href=\"/Experiments/New\"", NewExperimentLink().Match(index).Value, StringComparison.Ordinal);
        Assert.Contains("id=\"provider-ready\"", await owner.GetStringAsync("/GetStarted", cts.Token), StringComparison.Ordinal);
    }

    [GeneratedRegex("<a [^>]*id=\"new-experiment\"[^>]*>")]
    private static partial Regex NewExperimentLink();
}

using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Edison.IntegrationTests.Observability;
using Edison.IntegrationTests.Support;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Edison.IntegrationTests.Security;

/// <summary>
/// Every GET handler of every Razor page, called as the owner with the ids of a finished iteration and anonymously: each HTML
/// answer (pages, htmx partials, error pages) carries the strict Content-Security-Policy, frame-ancestors 'none', nosniff
/// and a referrer policy.
/// </summary>
[Collection(TracedLoopGroup.Name)]
public sealed partial class ContentSecurityPolicyTests(TracedLoopFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Csp_EveryHtmlResponseOfEveryGetHandler_HasTheStrictPolicyAndHardeningHeaders()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(SimulatedExperiment.Respond);
        var experimentId = await fixture.CreateExperimentAsync(tenant, cases: 2, cts.Token);
        using var owner = await fixture.SignInOwnerAsync(cts.Token);
        var (start, iterationId) = await TracedLoopFixture.StartIterationAsync(owner, experimentId, null, cts.Token);
        start.Dispose();
        await fixture.WaitUntilFinishedAsync(iterationId, cts.Token);
        var ids = await IdsAsync(experimentId, iterationId, cts.Token);
        using var anonymous = fixture.NewClient();

        var failures = new List<string>();
        var htmlOk = 0;
        foreach (var url in await GetUrlsAsync(ids))
        {
            foreach (var (who, client) in new[] { ("owner", owner), ("anonymous", anonymous) })
            {
                using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cts.Token);
                if (response.Content.Headers.ContentType?.MediaType != "text/html")
                {
                    continue;
                }

                htmlOk += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
                failures.AddRange(Check(response).Select(problem => $"{url} as {who} ({(int)response.StatusCode}): {problem}"));
            }
        }

        output.WriteLine($"{htmlOk} HTML pages answered 200");
        Assert.True(failures.Count == 0, "Responses without the required headers:\n" + string.Join("\n", failures));
        Assert.True(htmlOk >= 10, $"Only {htmlOk} HTML responses were OK: the test reached too few pages.");
    }

    private static IEnumerable<string> Check(HttpResponseMessage response)
    {
        var csp = response.Headers.TryGetValues("Content-Security-Policy", out var values) ? string.Join(";", values) : null;
        if (csp is null)
        {
            yield return "no Content-Security-Policy";
            yield break;
        }

        var directives = csp.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(d => d.Split(' ', 2)).ToDictionary(d => d[0], d => d.Length > 1 ? d[1] : "", StringComparer.OrdinalIgnoreCase);
        var scripts = directives.GetValueOrDefault("script-src") ?? directives.GetValueOrDefault("default-src");
        if (scripts is null || scripts.Contains("'unsafe-inline'", StringComparison.Ordinal) || scripts.Contains("'unsafe-eval'", StringComparison.Ordinal)
            || scripts.Contains('*', StringComparison.Ordinal))
        {
            yield return $"script sources are not restricted: '{scripts}'";
        }

        if (directives.GetValueOrDefault("frame-ancestors") != "'none'")
        {
            yield return "frame-ancestors is not 'none'";
        }

        if (!response.Headers.TryGetValues("X-Content-Type-Options", out var sniff) || !sniff.Contains("nosniff"))
        {
            yield return "no X-Content-Type-Options: nosniff";
        }

        if (!response.Headers.TryGetValues("Referrer-Policy", out var referrer) || !referrer.Any(v => v is "no-referrer" or "same-origin" or "strict-origin"))
        {
            yield return "no strict Referrer-Policy";
        }
    }

    /// Every page's GET handlers as URLs, each route parameter filled with the id of this test's data of that kind.
    private async Task<List<string>> GetUrlsAsync(Dictionary<string, Guid> ids)
    {
        var provider = fixture.Web.Services.GetRequiredService<IActionDescriptorCollectionProvider>();
        var loader = fixture.Web.Services.GetRequiredService<PageLoader>();
        var urls = new List<string>();
        foreach (var descriptor in provider.ActionDescriptors.Items.OfType<PageActionDescriptor>())
        {
            var page = await loader.LoadAsync(descriptor, EndpointMetadataCollection.Empty);
            var folder = page.ViewEnginePath.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
            var path = "/" + RouteParameter().Replace(page.AttributeRouteInfo?.Template ?? page.ViewEnginePath.TrimStart('/'), m =>
            {
                var name = m.Groups[1].Value;
                if (m.Groups[2].Value.StartsWith(":int", StringComparison.Ordinal))
                {
                    return "0";
                }

                var kind = name.Equals("id", StringComparison.OrdinalIgnoreCase) ? folder : name;
                return (ids.TryGetValue(kind, out var id) ? id : Guid.CreateVersion7()).ToString();
            });
            urls.AddRange(page.HandlerMethods.Where(h => HttpMethods.IsGet(h.HttpMethod))
                .Select(h => h.Name is null ? path : $"{path}?handler={h.Name}"));
        }

        Assert.NotEmpty(urls);
        return urls.Distinct().ToList();
    }

    /// The ids of this test's rows, keyed by route parameter name and by page folder (for "{id}").
    private async Task<Dictionary<string, Guid>> IdsAsync(Guid experimentId, Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<(Guid ProjectId, Guid OutputId, Guid VersionId, Guid DatasetId, Guid ModelRunId, Guid CredentialId)>(
            new CommandDefinition("""
                SELECT e.project_id,
                       (SELECT o.id FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id WHERE mr.iteration_id = @iterationId LIMIT 1),
                       (SELECT id FROM prompt_versions WHERE experiment_id = e.id ORDER BY version DESC LIMIT 1),
                       (SELECT id FROM datasets WHERE experiment_id = e.id LIMIT 1),
                       (SELECT id FROM model_runs WHERE iteration_id = @iterationId LIMIT 1),
                       (SELECT credential_id FROM model_configs WHERE experiment_id = e.id LIMIT 1)
                FROM experiments e WHERE e.id = @experimentId
                """, new { experimentId, iterationId }, cancellationToken: cancellationToken));
        return new Dictionary<string, Guid>(StringComparer.OrdinalIgnoreCase)
        {
            ["Experiments"] = experimentId, ["experimentId"] = experimentId,
            ["Iterations"] = iterationId, ["iterationId"] = iterationId,
            ["Projects"] = row.ProjectId, ["projectId"] = row.ProjectId,
            ["Outputs"] = row.OutputId, ["outputId"] = row.OutputId,
            ["Versions"] = row.VersionId, ["versionId"] = row.VersionId, ["promptVersionId"] = row.VersionId,
            ["Datasets"] = row.DatasetId, ["datasetId"] = row.DatasetId,
            ["modelRunId"] = row.ModelRunId,
            ["Credentials"] = row.CredentialId, ["credentialId"] = row.CredentialId,
        };
    }

    [GeneratedRegex(@"\{\*{0,2}(\w+)((?::[^}]*)?)\??\}")]
    private static partial Regex RouteParameter();
}

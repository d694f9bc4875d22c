extern alias web;
using System.Net;
using System.Text.RegularExpressions;
using Edison.Core.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using web::Edison.Web.Infrastructure.Authorization;
using Xunit.Abstractions;

namespace Edison.IntegrationTests.Security;

/// Every Razor page handler and every other endpoint declares what it needs, and each is called as every role, an outsider and
/// an anonymous visitor: the answer must match the role matrix (allowed / 403 / 404 for another project's resource).
public sealed partial class AuthorizationMatrixTests(SecureWebFixture web, ITestOutputHelper output) : IClassFixture<SecureWebFixture>
{
    private static readonly ProjectRole[] Roles = [ProjectRole.Viewer, ProjectRole.Reviewer, ProjectRole.Editor, ProjectRole.Admin, ProjectRole.Owner];

    [Fact]
    public async Task Authorization_EveryPageHandlerAndEndpoint_MatchesTheRoleMatrix()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var scenario = await SecurityScenario.CreateAsync(web, cts.Token);
        var tokens = new Dictionary<HttpClient, string>();
        var failures = new List<string>();
        var checkedCalls = 0;

        foreach (var (page, handler, requirement) in await PageHandlersAsync())
        {
            var label = $"{page.ViewEnginePath} {handler.HttpMethod} {handler.Name ?? "(default)"}";
            if (requirement is null)
            {
                failures.Add($"{label}: declares no [RequireProjectRole], [SignedInOnly] or [AllowAnonymous]");
                continue;
            }

            if (requirement is not ProjectRolePageFilter.RoleRequirement { Role: var least })
            {
                continue;
            }

            var (path, namesResource, realResource) = PathFor(page.AttributeRouteInfo?.Template ?? page.ViewEnginePath.TrimStart('/'), page.ViewEnginePath,
                scenario, otherProject: false);
            var url = handler.Name is null ? path : $"{path}?handler={handler.Name}";
            // A handler that acts on an iteration named in its form (pause, resume, cancel) gets the scenario's, as its page would post:
            // Core checks that resource too, and an id that exists nowhere is answered 404.
            if (handler.Parameters.Any(p => p.Name == "iterationId" && !path.Contains(scenario.IterationId.ToString(), StringComparison.Ordinal)))
            {
                url += $"{(url.Contains('?', StringComparison.Ordinal) ? '&' : '?')}iterationId={scenario.IterationId}";
            }

            foreach (var role in Roles)
            {
                var status = await CallAsync(scenario.Members[role], handler.HttpMethod, url, tokens, cts.Token);
                checkedCalls++;
                var allowed = role >= least;
                var ok = allowed
                    ? status is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized) && (int)status < 500
                      && (!realResource || status != HttpStatusCode.NotFound)
                    : status == HttpStatusCode.Forbidden || (namesResource && !realResource && status == HttpStatusCode.NotFound);
                if (!ok)
                {
                    failures.Add($"{label} as {role.ToText()} (needs {least.ToText()}): {(int)status}");
                }
            }

            var outsider = await CallAsync(scenario.Outsider, handler.HttpMethod, url, tokens, cts.Token);
            var outsiderExpected = namesResource ? HttpStatusCode.NotFound : HttpStatusCode.Forbidden;
            if (outsider != outsiderExpected)
            {
                failures.Add($"{label} as an outsider: {(int)outsider}, expected {(int)outsiderExpected}");
            }

            var anonymous = await CallAsync(scenario.Anonymous, handler.HttpMethod, url, tokens, cts.Token);
            if (anonymous is not (HttpStatusCode.Redirect or HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest))
            {
                failures.Add($"{label} anonymously: {(int)anonymous}");
            }

            if (namesResource && realResource)
            {
                var (otherPath, _, _) = PathFor(page.AttributeRouteInfo!.Template!, page.ViewEnginePath, scenario, otherProject: true);
                var other = await CallAsync(scenario.Members[ProjectRole.Owner], handler.HttpMethod,
                    handler.Name is null ? otherPath : $"{otherPath}?handler={handler.Name}", tokens, cts.Token);
                if (other != HttpStatusCode.NotFound && otherPath != path)
                {
                    failures.Add($"{label} on another project's resource as owner: {(int)other}, expected 404");
                }
            }

            checkedCalls += 2;
        }

        foreach (var endpoint in OtherEndpoints())
        {
            var label = endpoint.DisplayName ?? endpoint.RoutePattern.RawText ?? "?";
            var metadata = endpoint.Metadata;
            if (metadata.GetMetadata<IAllowAnonymous>() is not null || metadata.GetMetadata<SignedInOnlyAttribute>() is not null
                || PublicPaths.IsPublic(new PathString("/" + endpoint.RoutePattern.RawText?.TrimStart('/'))))
            {
                continue;
            }

            if (metadata.GetMetadata<RequireProjectRoleAttribute>() is not { } requirement)
            {
                failures.Add($"{label}: declares no project role ({string.Join(", ", metadata.Select(m => m.GetType().Name))})");
                continue;
            }

            var (path, namesResource, realResource) = PathFor(endpoint.RoutePattern.RawText!, null, scenario, otherProject: false);
            var method = metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is [var first, ..] ? first : HttpMethods.Get;
            var accepts = metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes is [var type, ..] ? type : null;
            foreach (var role in Roles)
            {
                var status = await CallAsync(scenario.Members[role], method, path, tokens, cts.Token, accepts);
                checkedCalls++;
                var allowed = role >= requirement.Role;
                if (allowed ? status is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized || (realResource && status == HttpStatusCode.NotFound)
                            : status != HttpStatusCode.Forbidden && !(namesResource && !realResource && status == HttpStatusCode.NotFound))
                {
                    failures.Add($"{label} as {role.ToText()} (needs {requirement.Role.ToText()}): {(int)status}");
                }
            }

            var outsider = await CallAsync(scenario.Outsider, method, path, tokens, cts.Token, accepts);
            if (outsider != (namesResource ? HttpStatusCode.NotFound : HttpStatusCode.Forbidden))
            {
                failures.Add($"{label} as an outsider: {(int)outsider}");
            }

            var anonymous = await CallAsync(scenario.Anonymous, method, path, tokens, cts.Token, accepts);
            if (anonymous is not (HttpStatusCode.Redirect or HttpStatusCode.Unauthorized))
            {
                failures.Add($"{label} anonymously: {(int)anonymous}");
            }
        }

        output.WriteLine($"{checkedCalls} calls checked");
        Assert.True(failures.Count == 0, "Authorization matrix failures:\n" + string.Join("\n", failures));
        Assert.True(checkedCalls > 30, $"Only {checkedCalls} calls were checked.");
    }

    [Fact]
    public async Task Authorization_AnnotatedHandlers_AllDeclareARequirement()
    {
        var missing = (await PageHandlersAsync()).Where(h => h.Requirement is null)
            .Select(h => $"{h.Page.ViewEnginePath} {h.Handler.HttpMethod} {h.Handler.Name}").ToList();
        Assert.True(missing.Count == 0, "Handlers without a declared requirement (they answer 403):\n" + string.Join("\n", missing));
    }

    // Issue 18: GET /api/v1/checks/{checkId} read another project's check because "checkId" was missing from the route-resource
    // map, and the matrix above only fills the names it knows. Here every route parameter that names an id (called "id", ending
    // in "Id", or constrained to a guid) must resolve to a kind ProjectAccess finds the project of, or be one the endpoint
    // resolves itself ([ResolvesOwnResource], with its reason).
    [Fact]
    public void Authorization_IdRouteParameters_EachResolvesToAProject()
    {
        var known = Edison.Core.Security.ProjectAccess.KnownKinds;
        var unresolved = new List<string>();
        var seen = 0;
        foreach (var endpoint in web.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (EndpointProjectRoleMiddleware.IsStaticFileFallback(endpoint) || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null
                || PublicPaths.IsPublic(new PathString("/" + endpoint.RoutePattern.RawText?.TrimStart('/'))))
            {
                continue;
            }

            var page = endpoint.Metadata.GetMetadata<PageActionDescriptor>();
            var folder = page?.ViewEnginePath.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            var ownResolvers = endpoint.Metadata.GetOrderedMetadata<ResolvesOwnResourceAttribute>();
            foreach (var parameter in endpoint.RoutePattern.Parameters)
            {
                var name = parameter.Name;
                var namesAnId = name.Equals("id", StringComparison.OrdinalIgnoreCase) || name.EndsWith("Id", StringComparison.Ordinal)
                    || parameter.ParameterPolicies.Any(p => p.Content?.StartsWith("guid", StringComparison.OrdinalIgnoreCase) == true);
                if (!namesAnId)
                {
                    continue;
                }

                seen++;
                var kind = RouteResources.NamedIds.TryGetValue(name, out var k) ? k
                    : name.Equals("id", StringComparison.OrdinalIgnoreCase) && folder is not null && RouteResources.FolderKinds.TryGetValue(folder, out k) ? k
                    : null;
                if (kind is not null && known.Contains(kind))
                {
                    continue;
                }

                if (ownResolvers.Any(r => r.Parameter == name && !string.IsNullOrWhiteSpace(r.Reason)))
                {
                    continue;
                }

                unresolved.Add($"{endpoint.DisplayName ?? endpoint.RoutePattern.RawText}: {{{name}}} resolves to no project");
            }
        }

        output.WriteLine($"{seen} id route parameters checked");
        Assert.True(unresolved.Count == 0, "Route parameters naming an id that no project check covers:\n" + string.Join("\n", unresolved));
        Assert.True(seen > 10, $"Only {seen} id route parameters were found.");
    }

    private async Task<List<(CompiledPageActionDescriptor Page, HandlerMethodDescriptor Handler, object? Requirement)>> PageHandlersAsync()
    {
        var provider = web.Factory.Services.GetRequiredService<IActionDescriptorCollectionProvider>();
        var loader = web.Factory.Services.GetRequiredService<PageLoader>();
        var result = new List<(CompiledPageActionDescriptor, HandlerMethodDescriptor, object?)>();
        foreach (var descriptor in provider.ActionDescriptors.Items.OfType<PageActionDescriptor>())
        {
            var compiled = await loader.LoadAsync(descriptor, EndpointMetadataCollection.Empty);
            foreach (var handler in compiled.HandlerMethods)
            {
                result.Add((compiled, handler, ProjectRolePageFilter.Requirement(compiled.HandlerTypeInfo, handler, handler.HttpMethod)));
            }
        }

        Assert.NotEmpty(result);
        return result;
    }

    private IEnumerable<RouteEndpoint> OtherEndpoints() =>
        web.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ActionDescriptor>() is null && !EndpointProjectRoleMiddleware.IsStaticFileFallback(e));

    // Fills a route template: a resource id of this scenario where the parameter names one it has, else an id that exists nowhere.
    private static (string Path, bool NamesResource, bool RealResource) PathFor(string template, string? pagePath, SecurityScenario scenario,
        bool otherProject)
    {
        var namesResource = false;
        var real = true;
        var folder = pagePath?.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        var path = RouteParameter().Replace(template, m =>
        {
            var name = m.Groups[1].Value;
            var constraint = m.Groups[2].Value;
            if (constraint.StartsWith(":int", StringComparison.Ordinal))
            {
                return "1";
            }

            if (!name.EndsWith("Id", StringComparison.OrdinalIgnoreCase) && !constraint.StartsWith(":guid", StringComparison.Ordinal))
            {
                // A word parameter (a label, a document name): any value the route accepts.
                return name == "documentName" ? "v1" : "production";
            }

            var kind = RouteResources.NamedIds.TryGetValue(name, out var k) ? k
                : name.Equals("id", StringComparison.OrdinalIgnoreCase) && folder is not null && RouteResources.FolderKinds.TryGetValue(folder, out k) ? k
                : null;
            namesResource |= kind is not null;
            Guid? id = kind switch
            {
                ResourceKinds.Experiment => otherProject ? scenario.OtherProjectExperimentId : scenario.ExperimentId,
                ResourceKinds.Iteration when !otherProject => scenario.IterationId,
                ResourceKinds.Project when !otherProject => scenario.ProjectId,
                ResourceKinds.Dataset => otherProject ? scenario.OtherProjectDatasetId : scenario.DatasetId,
                ResourceKinds.GenerationRun => otherProject ? scenario.OtherProjectGenerationRunId : scenario.GenerationRunId,
                _ => null,
            };
            real &= id is not null;
            return (id ?? Guid.CreateVersion7()).ToString();
        });
        return ("/" + path.TrimStart('/'), namesResource, namesResource && real);
    }

    private static async Task<HttpStatusCode> CallAsync(HttpClient client, string method, string url, Dictionary<HttpClient, string> tokens,
        CancellationToken cancellationToken, string? contentType = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
        {
            if (!tokens.TryGetValue(client, out var token))
            {
                using var probe = await client.GetAsync("/Account/ChangePassword", cancellationToken);
                token = probe.StatusCode == HttpStatusCode.OK
                    ? await SecureWebFixture.TokenAsync(client, "/Account/ChangePassword", cancellationToken)
                    : await SecureWebFixture.TokenAsync(client, "/Account/SignIn", cancellationToken);
                tokens[client] = token;
            }

            // Each endpoint gets the body type it accepts, so routing reaches it instead of answering 415 on its behalf.
            request.Content = contentType is null or "application/x-www-form-urlencoded" or "multipart/form-data"
                ? SecureWebFixture.Form(token)
                : new StringContent(contentType == "application/json" ? "{}" : "", System.Text.Encoding.UTF8, contentType);
            // Non-page endpoints (the JSON API) read the token from the header htmx and API clients send.
            request.Headers.Add("RequestVerificationToken", token);
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return response.StatusCode;
    }

    [GeneratedRegex(@"\{\*{0,2}(\w+)((?::[^}]*)?)\??\}")]
    private static partial Regex RouteParameter();
}

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.Abstractions;

namespace Edison.Web.Infrastructure.Authorization;

/// Enforces RequireProjectRole on non-page endpoints (minimal APIs, SSE). Pages are checked per handler by ProjectRolePageFilter.
/// An endpoint that declares nothing is refused, so a new API without an annotation fails closed.
internal sealed class EndpointProjectRoleMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, ProjectAuthorizer authorizer)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null || endpoint.Metadata.GetMetadata<ActionDescriptor>() is not null
            || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null || PublicPaths.IsPublic(context.Request.Path)
            || endpoint.Metadata.GetMetadata<SignedInOnlyAttribute>() is not null || IsStaticFileFallback(endpoint)
            || IsRoutingRejection(endpoint))
        {
            await next(context);
            return;
        }

        if (endpoint.Metadata.GetMetadata<RequireProjectRoleAttribute>() is not { } requirement)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var resources = RouteResources.Find(null, context.Request.RouteValues);
        var status = await authorizer.AuthorizeAsync(context, requirement.Role, resources, context.RequestAborted);
        if (status is not null)
        {
            context.Response.StatusCode = status.Value;
            return;
        }

        await next(context);
    }

    // Routing answers a request whose method or content type no endpoint accepts with an endpoint of its own (405/415) that
    // carries no metadata; it only writes that status, so refusing it with 403 would misreport a bad request as a missing role.
    public static bool IsRoutingRejection(Endpoint endpoint) =>
        endpoint is not RouteEndpoint && endpoint.DisplayName is "405 HTTP Method Not Supported" or "415 HTTP Unsupported Media Type";

    // Static web assets map "{**path:file}" as a fallback for files outside the manifest (in development and under test hosts):
    // it serves files only, behind the fallback policy.
    public static bool IsStaticFileFallback(Endpoint endpoint) =>
        endpoint is RouteEndpoint { RoutePattern.RawText: "{**path:file}", Order: int.MaxValue };
}

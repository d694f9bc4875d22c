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
            || endpoint.Metadata.GetMetadata<SignedInOnlyAttribute>() is not null || IsStaticFileFallback(endpoint))
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

    // Static web assets map "{**path:file}" as a fallback for files outside the manifest (in development and under test hosts):
    // it serves files only, behind the fallback policy.
    public static bool IsStaticFileFallback(Endpoint endpoint) =>
        endpoint is RouteEndpoint { RoutePattern.RawText: "{**path:file}", Order: int.MaxValue };
}

using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;

namespace Edison.Web.Infrastructure.Authorization;

/// Enforces RequireProjectRole on Razor Pages: the selected handler's own attribute, else the page model's for a GET.
/// A handler that declares neither (nor SignedInOnly, nor AllowAnonymous) is refused, so a forgotten annotation fails closed.
internal sealed class ProjectRolePageFilter(ProjectAuthorizer authorizer) : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var requirement = Requirement(context.ActionDescriptor.HandlerTypeInfo, context.HandlerMethod, context.HttpContext.Request.Method);
        switch (requirement)
        {
            case PublicRequirement or SignedInRequirement:
                await next();
                return;
            case RoleRequirement { Role: var role }:
                var values = context.RouteData.Values.Concat(context.HandlerArguments);
                var resources = RouteResources.Find(context.ActionDescriptor.ViewEnginePath, values);
                var status = await authorizer.AuthorizeAsync(context.HttpContext, role, resources, context.HttpContext.RequestAborted);
                if (status is null)
                {
                    await next();
                    return;
                }

                context.Result = new StatusCodeResult(status.Value);
                return;
            default:
                context.Result = new StatusCodeResult(StatusCodes.Status403Forbidden);
                return;
        }
    }

    /// What a page handler demands; shared with the matrix test through Describe.
    public static object? Requirement(TypeInfo pageModel, HandlerMethodDescriptor? handler, string httpMethod)
    {
        var method = handler?.MethodInfo;
        if (method?.GetCustomAttribute<AllowAnonymousAttribute>() is not null || pageModel.GetCustomAttribute<AllowAnonymousAttribute>() is not null)
        {
            return PublicRequirement.Instance;
        }

        if (method?.GetCustomAttribute<RequireProjectRoleAttribute>() is { } onHandler)
        {
            return new RoleRequirement(onHandler.Role);
        }

        if (method?.GetCustomAttribute<SignedInOnlyAttribute>() is not null)
        {
            return SignedInRequirement.Instance;
        }

        var safe = HttpMethods.IsGet(handler?.HttpMethod ?? httpMethod) || HttpMethods.IsHead(handler?.HttpMethod ?? httpMethod);
        if (pageModel.GetCustomAttribute<SignedInOnlyAttribute>() is not null)
        {
            return SignedInRequirement.Instance;
        }

        return safe && pageModel.GetCustomAttribute<RequireProjectRoleAttribute>() is { } onPage ? new RoleRequirement(onPage.Role) : null;
    }

    internal sealed record PublicRequirement
    {
        public static readonly PublicRequirement Instance = new();
    }

    internal sealed record SignedInRequirement
    {
        public static readonly SignedInRequirement Instance = new();
    }

    internal sealed record RoleRequirement(Edison.Core.Security.ProjectRole Role);
}

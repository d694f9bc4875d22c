using Edison.Core.Accounts;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.Abstractions;

namespace Edison.Web.Infrastructure.Security;

/// Until the first-run setup has created the instance owner, every page leads to it.
internal sealed class SetupGateMiddleware(RequestDelegate next)
{
    public const string SetupPath = "/Setup";

    public async Task InvokeAsync(HttpContext context, AccountService accounts)
    {
        var endpoint = context.GetEndpoint();
        var isStaticOrLibrary = PublicPaths.IsPublic(context.Request.Path)
            || (endpoint?.Metadata.GetMetadata<IAllowAnonymous>() is not null && endpoint.Metadata.GetMetadata<ActionDescriptor>() is null);
        if (isStaticOrLibrary || context.Request.Path.StartsWithSegments(SetupPath) || context.Request.Path.StartsWithSegments("/Error")
            || await accounts.IsSetUpAsync(context.RequestAborted))
        {
            await next(context);
            return;
        }

        context.Response.Redirect(SetupPath);
    }
}

using Microsoft.AspNetCore.Antiforgery;

namespace Edison.Web.Infrastructure.Security;

/// A change through /api/v1 that is authenticated by the sign-in cookie (no bearer token) must carry the antiforgery token in the
/// RequestVerificationToken header, as the app's own pages send it. Without this, a same-site page could auto-post a form to
/// the API (starting a paid run) and the browser would add the cookie. API clients use a bearer token and are not affected.
internal sealed class ApiAntiforgeryMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, IAntiforgery antiforgery, IProblemDetailsService problems)
    {
        var request = context.Request;
        if (request.Path.StartsWithSegments(ApiTokenAuthenticationHandler.ApiPath) && !IsSafe(request.Method)
            && !ApiTokenAuthenticationHandler.Applies(request) && context.User.Identity?.IsAuthenticated == true
            && !await antiforgery.IsRequestValidAsync(context))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status400BadRequest, Title = "Antiforgery token missing",
                    Detail = "A change through the API with the sign-in cookie needs the RequestVerificationToken header. "
                        + "Scripts and CI should send an API token instead: Authorization: Bearer edison_….",
                },
            });
            return;
        }

        await next(context);
    }

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);
}

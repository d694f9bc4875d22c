using Edison.Core.Persistence;
using Edison.Core.Security;
using Htmx;
using Edison.Web.Infrastructure.Uploads;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Edison.Web.Infrastructure;

/// Infrastructure faults become a page or partial that says what happened and what to do; never a stack trace.
internal sealed partial class EdisonExceptionHandler(ILogger<EdisonExceptionHandler> logger, IProblemDetailsService problemDetails,
    IOptions<UploadOptions> uploads) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // Kestrel stops a body without a declared length once it passes the limit; that is the client's doing, not a fault.
        if (exception is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            httpContext.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return await problemDetails.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                ProblemDetails = { Title = "Request too large", Detail = UploadLimitMiddleware.Describe(uploads.Value) },
            });
        }

        if (exception is ProjectAccessDeniedException denied)
        {
            return await DeniedAsync(httpContext, denied, cancellationToken);
        }

        LogUnhandled(exception, httpContext.Request.Path);
        var transient = PostgresErrors.IsTransient(exception);
        httpContext.Response.StatusCode = transient ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError;
        var detail = transient
            ? "The database is not reachable right now. Nothing was lost; try again in a moment."
            : "Something went wrong on our side. Nothing you entered was saved twice; try again, and if it keeps happening check the server log.";
        if (httpContext.Request.IsHtmx())
        {
            httpContext.Response.ContentType = "text/html; charset=utf-8";
            await httpContext.Response.WriteAsync(
                $"<div class=\"alert alert-error\" role=\"alert\">{System.Net.WebUtility.HtmlEncode(detail)}</div>", cancellationToken);
            return true;
        }

        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Title = transient ? "Service unavailable" : "Unexpected error", Detail = detail },
        });
    }

    // The web layer checks roles before a handler runs; this is Core's own check refusing (an API token's ceiling, an id from a
    // form that belongs to another project). A non-member sees 404, like every other resource of a project they are not in.
    private async ValueTask<bool> DeniedAsync(HttpContext httpContext, ProjectAccessDeniedException denied, CancellationToken cancellationToken)
    {
        LogDenied(httpContext.Request.Path, denied.NotAMember);
        httpContext.Response.StatusCode = denied.NotAMember ? StatusCodes.Status404NotFound : StatusCodes.Status403Forbidden;
        var detail = denied.NotAMember ? "There is no such thing here." : denied.Message;
        if (httpContext.Request.IsHtmx())
        {
            httpContext.Response.ContentType = "text/html; charset=utf-8";
            await httpContext.Response.WriteAsync(
                $"<div class=\"alert alert-error\" role=\"alert\">{System.Net.WebUtility.HtmlEncode(detail)}</div>", cancellationToken);
            return true;
        }

        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Title = denied.NotAMember ? "Not found" : "Forbidden", Detail = detail },
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Core refused an action on {Path} (not a member: {NotAMember})")]
    private partial void LogDenied(string path, bool notAMember);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Path}")]
    private partial void LogUnhandled(Exception exception, string path);
}

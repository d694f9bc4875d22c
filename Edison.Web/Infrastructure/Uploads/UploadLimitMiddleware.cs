using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Edison.Web.Infrastructure.Uploads;

/// Refuses a request whose declared body is over the limit before anything reads it, so the person sees the status-code page
/// (or the API client a problem) naming the limit, instead of a form that "expired" when antiforgery failed to read it. A chunked
/// body without a length is stopped by Kestrel's own limit while it is read (EdisonExceptionHandler words that one). An endpoint
/// that declares its own limit ([RequestSizeLimit], e.g. the dataset import page) is left to answer in its own words.
internal sealed class UploadLimitMiddleware(RequestDelegate next, IOptions<UploadOptions> options)
{
    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        var limit = options.Value.MaxRequestBodyBytes;
        if (context.Request.ContentLength is not { } length || length <= limit || context.Features.Get<IStatusCodeReExecuteFeature>() is not null
            || context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>() is not null)
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Title = "Request too large", Detail = Describe(options.Value), Status = StatusCodes.Status413PayloadTooLarge },
            });
        }
    }

    public static string Describe(UploadOptions options) =>
        $"The request is larger than this server's limit of {options.MaxRequestBodyMegabytes} MB. Split the file or ask the operator to raise Edison:Uploads:MaxRequestBodyMegabytes.";
}

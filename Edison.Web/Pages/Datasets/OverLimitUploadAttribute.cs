using Edison.Core.Datasets.Import;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Edison.Web.Pages.Datasets;

/// Turns an upload over the import limit into the import page's own error. It runs before antiforgery reads the form (which
/// would fail on the size limit and answer a bare 400/413) and sends the browser back to the import page, which states the
/// limit. The body is read and thrown away first, up to a cap: a browser whose upload is cut off shows "connection reset"
/// instead of the answer.
[AttributeUsage(AttributeTargets.Class)]
public sealed class OverLimitUploadAttribute : Attribute, IAsyncAuthorizationFilter, IOrderedFilter
{
    /// Body allowance beyond the file itself: multipart boundaries, the antiforgery token and the other fields.
    public const long FormOverhead = 1024 * 1024;

    public const long MaxRequestBytes = ImportLimits.MaxBytes + FormOverhead;

    /// Larger uploads are cut off unread: draining them would cost more than the friendlier answer is worth.
    public const long DrainCap = 5 * ImportLimits.MaxBytes;

    public int Order => int.MinValue;

    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var request = http.Request;
        if (!HttpMethods.IsPost(request.Method) || request.ContentLength is not { } length || length <= MaxRequestBytes)
        {
            return;
        }

        if (length <= DrainCap && http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = DrainCap;
            var buffer = new byte[81920];
            while (await request.Body.ReadAsync(buffer, http.RequestAborted) > 0)
            {
            }
        }

        context.Result = new RedirectToPageResult("/Datasets/Import", new { tooLarge = length });
    }
}

using Edison.Core.Datasets.Import;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Edison.Web.Pages.Datasets;

/// Turns an upload over the import limit into the import page's own error. It runs before antiforgery reads the form (which
/// would fail on the size limit and answer a bare 400/413), so the body is never read: the browser is sent back to the
/// import page, which says what the limit is.
[AttributeUsage(AttributeTargets.Class)]
public sealed class OverLimitUploadAttribute : Attribute, IAuthorizationFilter, IOrderedFilter
{
    /// Body allowance beyond the file itself: multipart boundaries, the antiforgery token and the other fields.
    public const long FormOverhead = 1024 * 1024;

    public const long MaxRequestBytes = ImportLimits.MaxBytes + FormOverhead;

    public int Order => int.MinValue;

    public void OnAuthorization(AuthorizationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.HttpContext.Request;
        if (HttpMethods.IsPost(request.Method) && request.ContentLength > MaxRequestBytes)
        {
            context.Result = new RedirectToPageResult("/Datasets/Import", new { tooLarge = request.ContentLength });
        }
    }
}

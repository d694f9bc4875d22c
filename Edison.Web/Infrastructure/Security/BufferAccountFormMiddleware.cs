using Microsoft.AspNetCore.RateLimiting;

namespace Edison.Web.Infrastructure.Security;

/// Reads a rate-limited POST's form before the rate limiter partitions on its e-mail field (partitioners are synchronous).
internal sealed class BufferAccountFormMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (HttpMethods.IsPost(context.Request.Method) && context.Request.HasFormContentType
            && context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>() is { PolicyName: AccountRateLimiting.Policy })
        {
            await context.Request.ReadFormAsync(context.RequestAborted);
        }

        await next(context);
    }
}

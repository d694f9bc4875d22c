using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Edison.Web.Infrastructure.Security;

/// Sign-in, sign-up and setup POSTs are limited per normalised e-mail and client address, so guessing one account's password
/// and spraying many accounts from one address are both slowed; pages carry [EnableRateLimiting(AccountRateLimiting.Policy)].
internal static class AccountRateLimiting
{
    public const string Policy = "account";
    public const string EmailField = "Email";

    public static IServiceCollection AddAccountRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (ctx, ct) =>
            {
                ctx.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                await ctx.HttpContext.Response.WriteAsync("Too many attempts. Wait a minute and try again.", ct);
            };
            o.AddPolicy(Policy, context =>
            {
                if (!HttpMethods.IsPost(context.Request.Method))
                {
                    return RateLimitPartition.GetNoLimiter("read");
                }

                var options = context.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value;
                // The form was read by BufferAccountFormMiddleware, so this reads no body synchronously.
                var email = context.Request.HasFormContentType ? context.Request.Form[EmailField].ToString() : "";
                var key = $"{email.Trim().ToUpperInvariant()}|{context.Connection.RemoteIpAddress}";
                return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.AccountPermitLimit, Window = options.AccountWindow, QueueLimit = 0,
                });
            });
        });
        return services;
    }
}

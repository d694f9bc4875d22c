using System.Net;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Edison.Web.Infrastructure.Security;

/// The rate limits, all in Edison:Security (SecurityOptions), all switched off together by RateLimitsEnabled=false:
/// - account POSTs (sign-in, sign-up, setup, change password; pages carry [EnableRateLimiting(Policy)]) per normalised e-mail
///   (or signed-in user) and client address, and per client address alone, so spraying one password over many accounts is slowed;
/// - /api/v1 per API token, user or address; Server-Sent Events connections per user; money-spending requests (AI assist,
///   test-case generation; [EnableRateLimiting(SpendPolicy)] or RequireRateLimiting) per user.
/// The client address is the forwarded one when the request came through a trusted proxy (UseEdisonForwardedHeaders).
internal static class AccountRateLimiting
{
    public const string Policy = "account";
    public const string SpendPolicy = "spend";
    public const string EmailField = "Email";

    public static IServiceCollection AddAccountRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (ctx, ct) =>
            {
                var http = ctx.HttpContext;
                if (http.Request.Path.StartsWithSegments(ApiTokenAuthenticationHandler.ApiPath))
                {
                    await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                    {
                        HttpContext = http,
                        ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests", Detail = "Wait a minute and try again." },
                    });
                    return;
                }

                http.Response.ContentType = "text/plain; charset=utf-8";
                await http.Response.WriteAsync("Too many attempts. Wait a minute and try again.", ct);
            };
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(AccountAddressPartition),
                PartitionedRateLimiter.Create<HttpContext, string>(ApiPartition),
                PartitionedRateLimiter.Create<HttpContext, string>(EventStreamPartition));
            o.AddPolicy(Policy, context =>
            {
                var options = Options(context);
                if (!options.RateLimitsEnabled || !HttpMethods.IsPost(context.Request.Method))
                {
                    return RateLimitPartition.GetNoLimiter("read");
                }

                // The form was read by BufferAccountFormMiddleware, so this reads no body synchronously. A signed-in person's
                // own account page (change password) has no e-mail field: their user id stands in.
                var email = context.Request.HasFormContentType ? context.Request.Form[EmailField].ToString() : "";
                var who = email.Length > 0 ? email.Trim().ToUpperInvariant() : context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";
                var key = $"{who}|{context.Connection.RemoteIpAddress}";
                return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.AccountPermitLimit, Window = options.AccountWindow, QueueLimit = 0,
                });
            });
            o.AddPolicy(SpendPolicy, context =>
            {
                var options = Options(context);
                if (!options.RateLimitsEnabled || HttpMethods.IsHead(context.Request.Method)
                    || (HttpMethods.IsGet(context.Request.Method) && !context.Request.Path.StartsWithSegments("/events")))
                {
                    return RateLimitPartition.GetNoLimiter("read");
                }

                return RateLimitPartition.GetFixedWindowLimiter($"spend|{Principal(context)}", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.SpendPermitLimit, Window = options.SpendWindow, QueueLimit = 0,
                });
            });
        });
        return services;
    }

    /// Believes X-Forwarded-For and X-Forwarded-Proto from SecurityOptions.TrustedProxies only (loopback when none are named),
    /// so the rate limits see real clients and the auth cookie is Secure behind a TLS-terminating proxy.
    public static IServiceCollection AddEdisonForwardedHeaders(this IServiceCollection services, SecurityOptions options)
    {
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            if (options.TrustedProxies.Count == 0)
            {
                return;
            }

            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var entry in options.TrustedProxies.Select(p => p.Trim()))
            {
                if (entry == "*")
                {
                    // Empty lists trust any proxy.
                    o.KnownProxies.Clear();
                    o.KnownIPNetworks.Clear();
                    return;
                }

                if (entry.Contains('/', StringComparison.Ordinal))
                {
                    o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(entry));
                }
                else
                {
                    o.KnownProxies.Add(IPAddress.Parse(entry));
                }
            }
        });
        return services;
    }

    private static RateLimitPartition<string> AccountAddressPartition(HttpContext context)
    {
        var options = Options(context);
        if (!options.RateLimitsEnabled || !HttpMethods.IsPost(context.Request.Method)
            || context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>() is not { PolicyName: Policy })
        {
            return RateLimitPartition.GetNoLimiter("");
        }

        return RateLimitPartition.GetFixedWindowLimiter($"account-address|{context.Connection.RemoteIpAddress}", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.AccountAddressPermitLimit, Window = options.AccountWindow, QueueLimit = 0,
        });
    }

    private static RateLimitPartition<string> ApiPartition(HttpContext context)
    {
        var options = Options(context);
        if (!options.RateLimitsEnabled || !context.Request.Path.StartsWithSegments(ApiTokenAuthenticationHandler.ApiPath))
        {
            return RateLimitPartition.GetNoLimiter("");
        }

        return RateLimitPartition.GetFixedWindowLimiter($"api|{Principal(context)}", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.ApiPermitLimit, Window = options.ApiWindow, QueueLimit = 0,
        });
    }

    private static RateLimitPartition<string> EventStreamPartition(HttpContext context)
    {
        var options = Options(context);
        if (!options.RateLimitsEnabled || !context.Request.Path.StartsWithSegments("/events"))
        {
            return RateLimitPartition.GetNoLimiter("");
        }

        return RateLimitPartition.GetConcurrencyLimiter($"events|{Principal(context)}", _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = options.EventStreamsPerUser, QueueLimit = 0,
        });
    }

    // An API token (its own id would need a lookup; its user and project stand in), a signed-in user, or the client address.
    private static string Principal(HttpContext context) =>
        context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } user
            ? $"{user}|{context.User.FindFirstValue(ApiTokenAuthenticationHandler.ProjectClaim)}"
            : $"address|{context.Connection.RemoteIpAddress}";

    private static SecurityOptions Options(HttpContext context) => context.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value;
}

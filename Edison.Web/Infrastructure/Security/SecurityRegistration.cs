using Edison.Core.Accounts;
using Edison.Web.Infrastructure.Authorization;
using Htmx;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace Edison.Web.Infrastructure.Security;

internal static class SecurityRegistration
{
    public const string DefaultScheme = "Edison";

    public static IHostApplicationBuilder AddEdisonSecurity(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(SecurityOptions.Section);
        var options = section.Get<SecurityOptions>() ?? new SecurityOptions();
        builder.Services.Configure<SecurityOptions>(section);
        builder.Services.AddSingleton<SignInThrottle>();

        // Browsers carry the cookie; API clients a bearer token, which counts under /api/v1 only: a leaked token opens no page
        // (Settings › API tokens, invitations, the account). One default scheme picks between them per request.
        var authentication = builder.Services.AddAuthentication(DefaultScheme)
            .AddPolicyScheme(DefaultScheme, "Cookie or API token", o => o.ForwardDefaultSelector = ctx =>
                ApiTokenAuthenticationHandler.Applies(ctx.Request) ? ApiTokenAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        authentication.AddIdentityCookies();
        builder.Services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "edison.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = options.CookieLifetime;
            o.SlidingExpiration = true;
            o.LoginPath = "/Account/SignIn";
            o.LogoutPath = "/Account/SignOut";
            o.Events.OnRedirectToLogin = ctx => RedirectOrStatus(ctx, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx => RedirectOrStatus(ctx, StatusCodes.Status403Forbidden, redirect: false);
        });
        builder.Services.AddIdentityCore<EdisonUser>(o =>
        {
            // Length over composition rules (NIST SP 800-63B): a long passphrase beats "Passw0rd!".
            o.Password.RequiredLength = options.PasswordMinLength;
            o.Password.RequiredUniqueChars = 5;
            o.Password.RequireDigit = false;
            o.Password.RequireLowercase = false;
            o.Password.RequireUppercase = false;
            o.Password.RequireNonAlphanumeric = false;
            o.Lockout.AllowedForNewUsers = true;
            o.Lockout.MaxFailedAccessAttempts = options.AccountLockoutThreshold;
            o.Lockout.DefaultLockoutTimeSpan = options.LockoutDuration;
            o.User.RequireUniqueEmail = true;
            o.User.AllowedUserNameCharacters = "";
        }).AddSignInManager();
        builder.Services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = options.SecurityStampValidationInterval);

        builder.Services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder()
            .RequireAssertion(ctx => ctx.User.Identity?.IsAuthenticated == true || (ctx.Resource is HttpContext http && PublicPaths.IsPublic(http.Request.Path)))
            .Build());
        builder.Services.AddSingleton<ProjectAuthorizer>();
        builder.Services.AddScoped<ProjectRolePageFilter>();
        builder.Services.AddAccountRateLimiting();
        builder.Services.AddEdisonForwardedHeaders(options);
        return builder;
    }

    public static WebApplication UseEdisonSecurity(this WebApplication app)
    {
        app.UseMiddleware<SetupGateMiddleware>();
        app.UseMiddleware<BufferAccountFormMiddleware>();
        // After authentication, so the limits can count per API token or user rather than per address only.
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseMiddleware<ApiAntiforgeryMiddleware>();
        app.UseMiddleware<EndpointProjectRoleMiddleware>();
        return app;
    }

    // Pages get the sign-in redirect; htmx partials, SSE and the API get a bare status they can act on.
    private static Task RedirectOrStatus(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> ctx, int status,
        bool redirect = true)
    {
        var request = ctx.Request;
        if (!redirect || request.IsHtmx() || request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/events"))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}

using Edison.Web.Api;
using Edison.Web.Endpoints;
using Edison.Web.Infrastructure;
using Edison.Web.Infrastructure.Authorization;
using Edison.Web.Infrastructure.Security;
using Edison.Web.Infrastructure.Uploads;
using Edison.Worker.Scheduling;
using Htmx.TagHelpers;

namespace Edison.Web;

internal static class WebRegistration
{
    public static IHostApplicationBuilder AddEdisonWeb(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorPages().AddMvcOptions(o => o.Filters.AddService<ProjectRolePageFilter>());
        builder.AddEdisonSecurity();
        builder.AddUploadLimits();
        builder.AddEdisonApi();
        builder.Services.AddAntiforgery(o => o.HeaderName = "RequestVerificationToken");
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<Edison.Web.Pages.Experiments.Wizard.AssistRuns>();
        builder.Services.AddSingleton<Pages.Datasets.ImportStaging>();
        builder.Services.AddExceptionHandler<EdisonExceptionHandler>();
        builder.Services.AddHostedService<Infrastructure.Security.SetupTokenAnnouncer>();
        // A Quartz client only: the web app schedules jobs and never runs them.
        builder.AddEdisonScheduler(runsJobs: false);
        return builder;
    }

    public static WebApplication UseEdisonWeb(this WebApplication app)
    {
        // First: the client address and scheme that everything after sees (rate limits, the Secure cookie).
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        // The JSON API answers every error with problem+json (RFC 9457), whatever the client accepts; pages get the error page.
        app.UseWhen(IsApi, api => api.UseStatusCodePages(ApiProblemAsync));
        app.UseWhen(c => !IsApi(c), pages => pages.UseStatusCodePagesWithReExecute("/Error", "?code={0}"));
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseRouting();
        // After routing, so a page that states its own size limit (the dataset import) answers an over-limit upload itself.
        app.UseMiddleware<UploadLimitMiddleware>();
        app.UseEdisonSecurity();
        app.UseAntiforgery();
        return app;
    }

    private static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments("/api");

    private static Task ApiProblemAsync(Microsoft.AspNetCore.Diagnostics.StatusCodeContext context)
    {
        var status = context.HttpContext.Response.StatusCode;
        var (title, detail) = status switch
        {
            StatusCodes.Status401Unauthorized => ("Unauthorized", "Send an API token: Authorization: Bearer <token> (Settings › API tokens)."),
            StatusCodes.Status403Forbidden => ("Forbidden", "Your role (or the token's) in this project does not allow this."),
            StatusCodes.Status404NotFound => ("Not found", "There is no such thing here."),
            StatusCodes.Status405MethodNotAllowed => ("Method not allowed", "This address does not take that method."),
            StatusCodes.Status429TooManyRequests => ("Too many requests", "Slow down and try again in a moment."),
            _ => (Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status), (string?)null),
        };
        return TypedResults.Problem(detail, statusCode: status, title: title).ExecuteAsync(context.HttpContext);
    }

    public static WebApplication MapEdisonWeb(this WebApplication app)
    {
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorPages().WithStaticAssets();
        app.MapHtmxAntiforgeryScript();
        app.MapExperimentEvents();
        app.MapAssistEvents();
        app.MapGenerationEvents();
        app.MapEdisonApi();
        return app;
    }
}

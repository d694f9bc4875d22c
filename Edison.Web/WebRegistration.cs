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
        // A Quartz client only: the web app schedules jobs and never runs them.
        builder.AddEdisonScheduler(runsJobs: false);
        return builder;
    }

    public static WebApplication UseEdisonWeb(this WebApplication app)
    {
        // First: the client address and scheme that everything after sees (rate limits, the Secure cookie).
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePagesWithReExecute("/Error", "?code={0}");
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseRouting();
        // After routing, so a page that states its own size limit (the dataset import) answers an over-limit upload itself.
        app.UseMiddleware<UploadLimitMiddleware>();
        app.UseEdisonSecurity();
        app.UseAntiforgery();
        return app;
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

using Edison.Core.Experiments;
using Edison.Core.ReadModels;
using Edison.Core.Regression;
using Edison.Core.Runs;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Experiments;

[RequireProjectRole(ProjectRole.Viewer)]
public sealed class DetailsModel(ExperimentService experiments, ExperimentOverviewQuery overviews, IterationService iterations,
    RegressionScheduleService schedules, TimeProvider time) : PageModel
{
    public ExperimentDetails Experiment { get; private set; } = null!;

    public ExperimentOverview Overview { get; private set; } = null!;

    /// <summary>What the next run would cost, shown before it is started; null while one is running.</summary>
    public RunEstimate? Estimate { get; private set; }

    public ScoreChart? Chart { get; private set; }

    public string? StartError { get; private set; }

    public string? Message { get; private set; }

    public RegressionOverview Regression { get; private set; } = null!;

    public ScheduleForm Schedule { get; private set; } = new();

    public IReadOnlyDictionary<string, string> ScheduleErrors { get; private set; } = new Dictionary<string, string>();

    public string? ScheduleMessage { get; private set; }

    public string? NewWebhookSecret { get; private set; }

    public DateTimeOffset Now => time.GetUtcNow();

    public IReadOnlyList<string>? ScheduleErrorsFor(string field) => ScheduleErrors.TryGetValue(field, out var error) ? [error] : null;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : NotFound();

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostStartAsync(Guid id, CancellationToken cancellationToken)
    {
        var result = await iterations.StartAsync(HttpContext.Actor(), id, cancellationToken);
        if (result.IterationId is { } iterationId)
        {
            var url = Url.Page("/Iterations/Details", new { id = iterationId })!;
            if (Request.IsHtmx())
            {
                Response.Htmx(h => h.Redirect(url));
                return new OkResult();
            }

            return Redirect(url);
        }

        StartError = result.Error;
        return await ActionsAsync(id, cancellationToken);
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostPauseAsync(Guid id, Guid iterationId, CancellationToken cancellationToken)
    {
        Message = await iterations.PauseAsync(HttpContext.Actor(), iterationId, cancellationToken)
            ? "Paused: calls in flight finish, no new one starts."
            : "That iteration has already ended.";
        return await ActionsAsync(id, cancellationToken);
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostResumeAsync(Guid id, Guid iterationId, CancellationToken cancellationToken)
    {
        Message = await iterations.ResumeAsync(HttpContext.Actor(), iterationId, cancellationToken) ? "Resumed where it stopped." : "That iteration has already ended.";
        return await ActionsAsync(id, cancellationToken);
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostCancelAsync(Guid id, Guid iterationId, CancellationToken cancellationToken)
    {
        Message = await iterations.CancelAsync(HttpContext.Actor(), iterationId, cancellationToken)
            ? "Cancelled. What finished stays visible and counts in no statistic."
            : "That iteration has already ended.";
        return await ActionsAsync(id, cancellationToken);
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostScheduleAsync(Guid id, ScheduleForm form, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(form);
        var saved = await schedules.SaveAsync(HttpContext.Actor(), id, form.ToChoice(), form.WebhookUrl, form.NewSecret, cancellationToken);
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        if (saved.Saved)
        {
            ScheduleMessage = Regression.Schedule is null ? "Scheduled runs are off." : "Schedule saved.";
            NewWebhookSecret = saved.NewSecret;
        }
        else
        {
            Schedule = form;
            ScheduleErrors = saved.Errors;
        }

        return Request.IsHtmx() ? Partial("_Schedule", this) : Page();
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostAcknowledgeAsync(Guid id, Guid alertId, CancellationToken cancellationToken)
    {
        var acknowledged = await schedules.AcknowledgeAsync(HttpContext.Actor(), id, alertId, cancellationToken);
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        ScheduleMessage = acknowledged ? "Alert acknowledged." : "That alert was already acknowledged.";
        return Request.IsHtmx() ? Partial("_Schedule", this) : Page();
    }

    private async Task<IActionResult> ActionsAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        return Request.IsHtmx() ? Partial("_Actions", this) : Page();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var experiment = await experiments.GetAsync(id, cancellationToken);
        var overview = await overviews.GetAsync(id, cancellationToken);
        if (experiment is null || overview is null)
        {
            return false;
        }

        Experiment = experiment;
        Overview = overview;
        Chart = ScoreChart.Create(overview);
        Regression = await schedules.GetAsync(id, cancellationToken);
        Schedule = ScheduleForm.From(Regression.Schedule);
        if (overview.Latest is not { IsLive: true })
        {
            Estimate = await iterations.EstimateAsync(id, cancellationToken);
        }

        return true;
    }
}

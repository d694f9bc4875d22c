using Edison.Core.ReadModels;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Settings.Costs;

/// <summary>What the project's LLM calls cost, by day, model and experiment, over a date range anyone in the project can pick.</summary>
[RequireProjectRole(ProjectRole.Viewer)]
public sealed class IndexModel(CostReportQuery costs, TimeProvider time) : PageModel
{
    private const int DefaultDays = 30;

    [BindProperty(SupportsGet = true)]
    public DateOnly? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly? To { get; set; }

    public CostReport? Report { get; private set; }

    public string? RangeError { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            RangeError = "Enter both dates as calendar dates, e.g. 2026-01-31.";
            return;
        }

        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        To ??= today;
        From ??= To.Value.AddDays(-(DefaultDays - 1));
        if (From > To)
        {
            RangeError = "The start date is after the end date; swap them.";
            return;
        }

        if (To.Value.DayNumber - From.Value.DayNumber >= CostReportQuery.MaxDays)
        {
            RangeError = $"Pick at most {CostReportQuery.MaxDays} days at a time.";
            return;
        }

        Report = await costs.GetAsync(HttpContext.CurrentProject()!.ProjectId, From.Value, To.Value, cancellationToken);
    }
}

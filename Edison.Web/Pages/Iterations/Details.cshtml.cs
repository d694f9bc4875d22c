using Edison.Core.ReadModels;
using Edison.Core.Runs;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Iterations;

[RequireProjectRole(ProjectRole.Viewer)]
public sealed class DetailsModel(IterationService iterations, IterationInsightsQuery insights) : PageModel
{
    public IterationView Iteration { get; private set; } = null!;

    /// <summary>Why judging failed (counts, first errors and raw answers), when it did.</summary>
    public JudgingFailures? JudgingFailures { get; private set; }

    public IterationHeader Header { get; private set; } = null!;

    public ResultsPage Results { get; private set; } = null!;

    [BindProperty(SupportsGet = true)]
    public bool Failures { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Criterion { get; set; }

    [BindProperty(SupportsGet = true)]
    public double? Below { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Tag { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Split { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool Disagreement { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool Flagged { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool CutOff { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    public ResultsFilter Filter => new()
    {
        Failures = Failures, Criterion = Criterion, Below = Below, Tag = Tag, Split = Split, Disagreement = Disagreement, Flagged = Flagged,
        CutOff = CutOff, Page = Math.Max(1, PageNumber),
    };

    /// The filter as route values, for links and the live refresh of the grid.
    public Dictionary<string, string> FilterRoute(int? page = null)
    {
        var route = new Dictionary<string, string> { ["id"] = Iteration.Id.ToString() };
        void Add(string key, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                route[key] = value;
            }
        }

        Add("failures", Failures ? "true" : null);
        Add("criterion", Criterion);
        Add("below", Below?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("tag", Tag);
        Add("split", Split);
        Add("disagreement", Disagreement ? "true" : null);
        Add("flagged", Flagged ? "true" : null);
        Add("cutOff", CutOff ? "true" : null);
        Add("p", (page ?? Filter.Page) > 1 ? (page ?? Filter.Page).ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
        return route;
    }

    /// Re-judges the failed verdicts of an iteration whose judging failed, then shows the iteration judging again.
    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostRejudgeAsync(Guid id, CancellationToken cancellationToken)
    {
        await iterations.RejudgeAsync(HttpContext.Actor(), id, cancellationToken);
        return RedirectToPage("/Iterations/Details", new { id });
    }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        return Request.IsHtmx() && !Request.IsHtmxBoosted() ? Partial("_Live", this) : Page();
    }

    /// The live region: progress, phases and figures. Re-fetched on every SSE signal or poll.
    public async Task<IActionResult> OnGetLiveAsync(Guid id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken, withResults: false) ? Partial("_Live", this) : NotFound();

    /// The results grid for the filter in the query string; the filter form and the pager swap it in place.
    public async Task<IActionResult> OnGetResultsAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        // A filter change puts its state in the address bar, so a reload or a shared link shows the same rows.
        if (Request.IsHtmx() && Request.Headers["HX-Trigger"] == "results-filters")
        {
            Response.Htmx(h => h.PushUrl(Url.Page("/Iterations/Details", FilterRoute())!));
        }

        return Partial("_Results", this);
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken, bool withResults = true)
    {
        var iteration = await iterations.GetAsync(id, cancellationToken);
        var header = await insights.GetHeaderAsync(id, cancellationToken);
        if (iteration is null || header is null)
        {
            return false;
        }

        Iteration = iteration;
        Header = header;
        JudgingFailures = iteration.Status == IterationStatus.JudgingFailed ? await insights.GetJudgingFailuresAsync(id, 5, cancellationToken) : null;
        Results = withResults ? await insights.GetResultsAsync(header, Filter, cancellationToken) : new ResultsPage([], 0, 1);
        return true;
    }
}

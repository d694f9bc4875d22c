using Edison.Core.Datasets.Browse;
using Edison.Core.Generation;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Edison.Web.Pages.Datasets;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Generation;

[RequireProjectRole(ProjectRole.Viewer)]
public sealed class RunModel(GenerationService generation, DatasetCatalog catalog) : PageModel
{
    public GenerationRun Run { get; private set; } = null!;

    public IReadOnlyList<GeneratedCase> Cases { get; private set; } = [];

    public DatasetSummary? Dataset { get; private set; }

    public bool CanEdit => HttpContext.CurrentProject()?.Role >= ProjectRole.Editor;

    public bool IsLive => Run.Status is GenerationStatus.Pending or GenerationStatus.Running;

    [BindProperty(SupportsGet = true)]
    public Guid? Edit { get; set; }

    public CaseEditForm? Editor { get; private set; }

    public Dictionary<string, List<string>> EditErrors { get; private set; } = [];

    [TempData]
    public string? Message { get; set; }

    [TempData]
    public string? Error { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        if (Edit is { } caseId && CanEdit && Cases.FirstOrDefault(c => c.Id == caseId && c.Status == "pending") is { } c)
        {
            Editor = CaseEditForm.From(c.Input, c.ExpectedOutput, c.Tags, c.Difficulty);
        }

        return Page();
    }

    /// The live progress region, re-fetched on each server event or poll; once the run leaves the live states the whole page
    /// reloads so the review appears.
    public async Task<IActionResult> OnGetProgressAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        if (!IsLive && Request.IsHtmx())
        {
            Response.Htmx(h => h.Refresh());
        }

        return Partial("_Progress", this);
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostCancelAsync(Guid id, CancellationToken cancellationToken)
    {
        Say(await generation.CancelAsync(HttpContext.Actor(), id, cancellationToken) ? null : "The run has already ended.",
            "Cancelled: no generated case joins a dataset.");
        return Back(id);
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostDiscardAsync(Guid id, Guid[]? selected, CancellationToken cancellationToken)
    {
        if (selected is not { Length: > 0 })
        {
            Error = "Select the cases to discard first.";
            return Back(id);
        }

        var discarded = await generation.DiscardAsync(HttpContext.Actor(), id, selected, cancellationToken);
        Say(discarded == 0 ? "None of the selected cases is in review." : null, $"Discarded {discarded} case{(discarded == 1 ? "" : "s")}.");
        return Back(id);
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostAcceptAsync(Guid id, Guid[]? selected, bool all, string? datasetName, CancellationToken cancellationToken)
    {
        if (!all && selected is not { Length: > 0 })
        {
            Error = "Select the cases to accept, or accept all in review.";
            return Back(id);
        }

        var result = await generation.AcceptAsync(HttpContext.Actor(), id, all ? null : selected, datasetName, cancellationToken);
        if (result.Error is not null)
        {
            Error = result.Error;
            return Back(id);
        }

        Message = $"Accepted {result.Accepted} case{(result.Accepted == 1 ? "" : "s")} into version v{result.DatasetVersion} of the dataset.";
        return Back(id);
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostEditCaseAsync(Guid id, Guid caseId, CaseEditForm form, CancellationToken cancellationToken)
    {
        if (caseId == Guid.Empty)
        {
            Error = "No case was named: open a case's editor and save from there.";
            return Back(id);
        }

        var (edited, errors) = form.ToCase();
        if (edited is null)
        {
            if (!await LoadAsync(id, cancellationToken))
            {
                return NotFound();
            }

            Edit = caseId;
            Editor = form;
            EditErrors = errors;
            return Page();
        }

        Say(await generation.EditAsync(HttpContext.Actor(), id, caseId, edited, cancellationToken) ? null : "That case is no longer in review.", "Case edited.");
        return Back(id);
    }

    public IReadOnlyList<string>? ErrorsFor(string field) => EditErrors.TryGetValue(field, out var e) ? e : null;

    private void Say(string? error, string success)
    {
        if (error is null)
        {
            Message = success;
        }
        else
        {
            Error = error;
        }
    }

    private RedirectToPageResult Back(Guid id) => RedirectToPage("/Generation/Run", new { id });

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var run = await generation.GetAsync(id, cancellationToken);
        if (run is null)
        {
            return false;
        }

        Run = run;
        Cases = await generation.GetCasesAsync(id, cancellationToken);
        Dataset = run.DatasetId is { } datasetId ? await catalog.GetAsync(datasetId, cancellationToken) : null;
        return true;
    }
}

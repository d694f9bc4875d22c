using Edison.Core.ReadModels;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Edison.Web.Pages.Reviews;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Versions;

[RequireProjectRole(ProjectRole.Viewer)]
public sealed class IndexModel(PromptVersionHistory history) : PageModel
{
    public string ExperimentName { get; private set; } = "";

    public Guid? RecommendedVersionId { get; private set; }

    public IReadOnlyList<PromptVersionText> Versions { get; private set; } = [];

    public DiffView? Diff { get; private set; }

    /// <summary>"split" shows the two versions side by side with words marked; anything else, the unified diff.</summary>
    [BindProperty(SupportsGet = true)]
    public string? View { get; set; }

    [BindProperty(SupportsGet = true)]
    public int? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public int? To { get; set; }

    [TempData]
    public string? Message { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid experimentId, CancellationToken cancellationToken) =>
        await LoadAsync(experimentId, cancellationToken) ? Page() : NotFound();

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostRestoreAsync(Guid experimentId, Guid versionId, CancellationToken cancellationToken)
    {
        var number = await history.RestoreAsync(HttpContext.Actor(), experimentId, versionId, cancellationToken);
        // A version that is not this experiment's (a stale page, a forged post) is said, not restored.
        Message = number is null ? "That version is not one of this experiment's; nothing was restored." : $"Restored as v{number}; the next iteration runs it.";
        return RedirectToPage(new { experimentId });
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostSetProductionAsync(Guid experimentId, Guid versionId, CancellationToken cancellationToken)
    {
        Message = await history.SetProductionAsync(HttpContext.Actor(), experimentId, versionId, cancellationToken)
            ? "Production label moved."
            : "That version is not one of this experiment's; the production label stayed where it was.";
        return RedirectToPage(new { experimentId });
    }

    private async Task<bool> LoadAsync(Guid experimentId, CancellationToken cancellationToken)
    {
        var list = await history.ListAsync(experimentId, cancellationToken);
        if (list is not { } found)
        {
            return false;
        }

        (ExperimentName, RecommendedVersionId, Versions) = found;
        if (Versions.Count > 1)
        {
            From ??= Versions[1].Version;
            To ??= Versions[0].Version;
            var from = Versions.FirstOrDefault(v => v.Version == From);
            var to = Versions.FirstOrDefault(v => v.Version == To);
            if (from is not null && to is not null)
            {
                Diff = new DiffView(DiffLine.Parse(PromptVersionHistory.Diff(from, to)), PromptVersionHistory.WordDiff(from, to),
                    DiffView.WantsSplit(View), Url.Page("/Versions/Index", new { experimentId, from = From, to = To }) + "#diff-heading",
                    Url.Page("/Versions/Index", new { experimentId, from = From, to = To, view = DiffView.SplitValue }) + "#diff-heading",
                    $"v{from.Version}", $"v{to.Version}");
            }
        }

        return true;
    }
}

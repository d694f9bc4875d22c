using Edison.Core.ClosedLoop;
using Edison.Core.ReadModels;
using Edison.Core.Refining;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Reviews;

[RequireProjectRole(ProjectRole.Viewer)]
public sealed class SuggestionModel(SuggestionReviewQuery suggestions, ReviewService reviews) : PageModel
{
    public SuggestionDetails Suggestion { get; private set; } = null!;

    public DiffView Diff { get; private set; } = null!;

    /// <summary>"split" shows the change side by side with words marked; anything else, the unified diff.</summary>
    [BindProperty(SupportsGet = true)]
    public string? View { get; set; }

    public string? Error { get; private set; }

    [BindProperty]
    public string? Note { get; set; }

    [BindProperty]
    public string? Template { get; set; }

    [BindProperty]
    public string? SystemText { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : NotFound();

    [RequireProjectRole(ProjectRole.Reviewer)]
    public async Task<IActionResult> OnPostApproveAsync(Guid id, CancellationToken cancellationToken) =>
        await DecideAsync(id, await reviews.ApproveAsync(HttpContext.Actor(), id, Note ?? "", null,
            cancellationToken), cancellationToken);

    [RequireProjectRole(ProjectRole.Reviewer)]
    public async Task<IActionResult> OnPostEditApproveAsync(Guid id, CancellationToken cancellationToken) =>
        await DecideAsync(id, await reviews.ApproveAsync(HttpContext.Actor(), id, Note ?? "",
            new SuggestionEdit(Template ?? "", SystemText ?? ""), cancellationToken), cancellationToken);

    [RequireProjectRole(ProjectRole.Reviewer)]
    public async Task<IActionResult> OnPostRejectAsync(Guid id, CancellationToken cancellationToken) =>
        await DecideAsync(id, await reviews.RejectAsync(HttpContext.Actor(), id, Note ?? "", cancellationToken),
            cancellationToken);

    [RequireProjectRole(ProjectRole.Reviewer)]
    public async Task<IActionResult> OnPostRequestChangesAsync(Guid id, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(Note))
        {
            ModelState.AddModelError("changes-note", "Say what to change; the refiner reads your note.");
            return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
        }

        return await DecideAsync(id, await reviews.RequestChangesAsync(HttpContext.Actor(), id, Note,
            cancellationToken), cancellationToken);
    }

    [RequireProjectRole(ProjectRole.Reviewer)]
    public async Task<IActionResult> OnPostStopAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        return await DecideAsync(id, await reviews.StopAsync(HttpContext.Actor(), Suggestion.IterationId,
            cancellationToken), cancellationToken);
    }

    private async Task<IActionResult> DecideAsync(Guid id, ReviewDecision decision, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        if (!decision.Accepted)
        {
            Error = decision.Error;
            return Page();
        }

        return decision.NextIterationId is { } next
            ? RedirectToPage("/Iterations/Details", new { id = next })
            : RedirectToPage("/Iterations/Details", new { id = Suggestion.IterationId });
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var suggestion = await suggestions.GetAsync(id, cancellationToken);
        if (suggestion is null)
        {
            return false;
        }

        Suggestion = suggestion;
        var proposed = new PromptFields(suggestion.ProposedSystemText, suggestion.ProposedTemplate ?? suggestion.SourceTemplate, []);
        Diff = new DiffView(DiffLine.Parse(suggestion.UnifiedDiff),
            PromptDiff.Words(new PromptFields(suggestion.SourceSystemText, suggestion.SourceTemplate, []), proposed), DiffView.WantsSplit(View),
            Url.Page("/Reviews/Suggestion", new { id }) + "#diff-heading", Url.Page("/Reviews/Suggestion", new { id, view = DiffView.SplitValue }) + "#diff-heading",
            $"v{suggestion.SourceVersion}", "the proposal");
        Template ??= suggestion.ProposedTemplate ?? suggestion.SourceTemplate;
        SystemText ??= suggestion.ProposedSystemText;
        return true;
    }
}

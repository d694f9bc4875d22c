using Edison.Core.ClosedLoop;
using Edison.Core.ReadModels;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Ratings;

[RequireProjectRole(ProjectRole.Viewer)]
public sealed class RateModel(IterationInsightsQuery insights, ReviewService reviews) : PageModel
{
    public IterationHeader Header { get; private set; } = null!;

    public OutputDetail? Output { get; private set; }

    public int Index { get; private set; }

    public int Count { get; private set; }

    public Guid? RaterId { get; private set; }

    public IReadOnlyDictionary<string, int> Existing { get; private set; } = new Dictionary<string, int>();

    public string? Error { get; private set; }

    [TempData]
    public string? Saved { get; set; }

    // Named, so a form without scores binds an empty dictionary instead of falling back to the route values ("index") as keys.
    [BindProperty(Name = nameof(Scores))]
    public Dictionary<string, int> Scores { get; set; } = [];

    [BindProperty]
    public string? Note { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid iterationId, int index, CancellationToken cancellationToken) =>
        await LoadAsync(iterationId, index, cancellationToken) ? Page() : NotFound();

    [RequireProjectRole(ProjectRole.Reviewer)]
    public async Task<IActionResult> OnPostAsync(Guid iterationId, int index, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(iterationId, index, cancellationToken))
        {
            return NotFound();
        }

        if (RaterId is null || Output is null)
        {
            Error = "Rating needs a user account; none exists yet.";
            return Page();
        }

        var decision = await reviews.RateOutputAsync(HttpContext.Actor(), Output.Id, Scores, Note ?? "", cancellationToken);
        if (!decision.Accepted)
        {
            Error = decision.Error;
            return Page();
        }

        Saved = $"Saved your rating of answer {Index + 1}.";
        return RedirectToPage(new { iterationId, index = Math.Min(Index + 1, Count - 1) });
    }

    private async Task<bool> LoadAsync(Guid iterationId, int index, CancellationToken cancellationToken)
    {
        var header = await insights.GetHeaderAsync(iterationId, cancellationToken);
        if (header is null)
        {
            return false;
        }

        Header = header;
        var outputs = await insights.ListRatableOutputsAsync(iterationId, cancellationToken);
        Count = outputs.Count;
        Index = Math.Clamp(index, 0, Math.Max(0, Count - 1));
        RaterId = User.UserId();
        if (Count > 0)
        {
            Output = await insights.GetOutputAsync(outputs[Index], cancellationToken);
            if (Output is not null && RaterId is { } rater)
            {
                Existing = await insights.GetRatingAsync(Output.Id, rater, cancellationToken);
            }
        }

        return true;
    }
}

using Edison.Core.Runs;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Iterations;

[RequireProjectRole(ProjectRole.Viewer)]
public sealed class DetailsModel(IterationService iterations) : PageModel
{
    public IterationView Iteration { get; private set; } = null!;

    public IReadOnlyList<IterationResultRow> Results { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        return Request.IsHtmx() ? Partial("_Live", this) : Page();
    }

    /// The live region: progress while running, results once done. Re-fetched on every SSE signal or poll.
    public async Task<IActionResult> OnGetLiveAsync(Guid id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Partial("_Live", this) : NotFound();

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var iteration = await iterations.GetAsync(id, cancellationToken);
        if (iteration is null)
        {
            return false;
        }

        Iteration = iteration;
        Results = await iterations.GetResultsAsync(id, cancellationToken);
        return true;
    }
}

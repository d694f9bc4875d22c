using Edison.Core.Experiments;
using Edison.Core.Runs;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Experiments;

[RequireProjectRole(ProjectRole.Viewer)]
public sealed class DetailsModel(ExperimentService experiments, IterationService iterations) : PageModel
{
    public ExperimentDetails Experiment { get; private set; } = null!;

    public string? StartError { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        var experiment = await experiments.GetAsync(id, cancellationToken);
        if (experiment is null)
        {
            return NotFound();
        }

        Experiment = experiment;
        return Page();
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostStartAsync(Guid id, CancellationToken cancellationToken)
    {
        var result = await iterations.StartAsync(id, cancellationToken);
        if (result.IterationId is { } iterationId)
        {
            return RedirectToPage("/Iterations/Details", new { id = iterationId });
        }

        StartError = result.Error;
        return await OnGetAsync(id, cancellationToken);
    }
}

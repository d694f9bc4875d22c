using Edison.Core.Experiments;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages;

[RequireProjectRole(ProjectRole.Viewer)]
public sealed class IndexModel(ExperimentService experiments) : PageModel
{
    public IReadOnlyList<ExperimentSummary> Experiments { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => Experiments = await experiments.ListAsync(HttpContext.CurrentProject()!.ProjectId, cancellationToken);
}

using Edison.Core.Experiments;
using Edison.Core.Llm;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages;

[RequireProjectRole(ProjectRole.Viewer)]
public sealed class IndexModel(ExperimentService experiments, ProviderReadiness readiness) : PageModel
{
    public IReadOnlyList<ExperimentSummary> Experiments { get; private set; } = [];

    /// <summary>True until the project has a credential or a local model: "new experiment" leads to the first-run page instead.</summary>
    public bool NeedsProvider { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var projectId = HttpContext.CurrentProject()!.ProjectId;
        Experiments = await experiments.ListAsync(projectId, cancellationToken);
        NeedsProvider = (await readiness.GetAsync(projectId, cancellationToken)).NeedsProvider;
    }
}

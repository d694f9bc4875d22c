using Edison.Core.ReadModels;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Reviews;

[RequireProjectRole(ProjectRole.Viewer)]
public sealed class IndexModel(ExperimentOverviewQuery overviews) : PageModel
{
    public IReadOnlyList<IGrouping<(Guid Id, string Name), PendingSuggestion>> ByExperiment { get; private set; } = [];

    public int Count { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var pending = await overviews.ListPendingAsync(HttpContext.CurrentProject()!.ProjectId, cancellationToken);
        Count = pending.Count;
        ByExperiment = pending.GroupBy(p => (p.ExperimentId, p.ExperimentName)).ToList();
    }
}

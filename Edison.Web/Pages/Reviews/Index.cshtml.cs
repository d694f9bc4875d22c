using Edison.Core.ReadModels;
using Edison.Core.Regression;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Reviews;

[RequireProjectRole(ProjectRole.Viewer)]
public sealed class IndexModel(ExperimentOverviewQuery overviews, RegressionScheduleService regressions) : PageModel
{
    public IReadOnlyList<IGrouping<(Guid Id, string Name), PendingSuggestion>> ByExperiment { get; private set; } = [];

    /// <summary>Open regression alerts from scheduled runs; an editor acknowledges them on the experiment's page.</summary>
    public IReadOnlyList<RegressionAlert> Alerts { get; private set; } = [];

    public int Count { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var projectId = HttpContext.CurrentProject()!.ProjectId;
        var pending = await overviews.ListPendingAsync(projectId, cancellationToken);
        Alerts = await regressions.ListOpenAsync(projectId, cancellationToken);
        Count = pending.Count + Alerts.Count;
        ByExperiment = pending.GroupBy(p => (p.ExperimentId, p.ExperimentName)).ToList();
    }
}

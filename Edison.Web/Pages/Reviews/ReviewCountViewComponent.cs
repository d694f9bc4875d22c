using Edison.Core.ReadModels;
using Edison.Core.Regression;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Edison.Web.Pages.Reviews;

/// The number beside "Reviews" in the navigation: suggestions waiting and open regression alerts of the current project.
/// Rendered only on pages that resolved a project (the role filter sets it); elsewhere the link stands alone.
public sealed class ReviewCountViewComponent(ExperimentOverviewQuery overviews, RegressionScheduleService regressions) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync()
    {
        if (HttpContext.CurrentProject() is not { } project)
        {
            return Content(string.Empty);
        }

        var cancellationToken = HttpContext.RequestAborted;
        var count = (await overviews.ListPendingAsync(project.ProjectId, cancellationToken)).Count
                    + (await regressions.ListOpenAsync(project.ProjectId, cancellationToken)).Count;
        return View(count);
    }
}

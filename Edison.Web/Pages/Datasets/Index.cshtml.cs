using Edison.Core.Datasets.Browse;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Datasets;

[RequireProjectRole(ProjectRole.Viewer)]
public sealed class IndexModel(DatasetCatalog catalog) : PageModel
{
    public IReadOnlyList<DatasetSummary> Datasets { get; private set; } = [];

    public bool CanEdit => HttpContext.CurrentProject()?.Role >= ProjectRole.Editor;

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Datasets = await catalog.ListAsync(HttpContext.CurrentProject()!.ProjectId, cancellationToken);
}

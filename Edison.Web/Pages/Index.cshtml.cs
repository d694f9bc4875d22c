using Edison.Core.Experiments;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages;

public sealed class IndexModel(ExperimentService experiments) : PageModel
{
    public IReadOnlyList<ExperimentSummary> Experiments { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => Experiments = await experiments.ListAsync(cancellationToken);
}

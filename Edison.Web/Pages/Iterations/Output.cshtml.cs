using Edison.Core.ReadModels;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Iterations;

[RequireProjectRole(ProjectRole.Viewer)]
public sealed class OutputModel(IterationInsightsQuery insights) : PageModel
{
    public OutputDetail Output { get; private set; } = null!;

    public IterationHeader Header { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid outputId, CancellationToken cancellationToken)
    {
        var output = await insights.GetOutputAsync(outputId, cancellationToken);
        var header = output is null ? null : await insights.GetHeaderAsync(output.IterationId, cancellationToken);
        if (output is null || header is null)
        {
            return NotFound();
        }

        Output = output;
        Header = header;
        return Page();
    }
}

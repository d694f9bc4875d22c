using Edison.Core.ReadModels;
using Edison.Core.Refining;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Iterations;

[RequireProjectRole(ProjectRole.Viewer)]
public sealed class OutputModel(IterationInsightsQuery insights, OutputComparisonQuery comparisons) : PageModel
{
    /// <summary>The other answer to show beside this one; only answers of the same case and experiment are accepted.</summary>
    [BindProperty(SupportsGet = true)]
    public Guid? Compare { get; set; }

    public IReadOnlyList<OutputCounterpart> Counterparts { get; private set; } = [];

    public OutputCounterpart? Compared { get; private set; }

    public IReadOnlyList<DiffSpan> WordChanges { get; private set; } = [];

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
        Counterparts = await comparisons.ListCounterpartsAsync(outputId, cancellationToken);
        Compared = Counterparts.FirstOrDefault(c => c.Id == Compare);
        if (Compared is not null)
        {
            WordChanges = WordDiff.Compare(output.Text, Compared.Text);
        }

        return Page();
    }
}

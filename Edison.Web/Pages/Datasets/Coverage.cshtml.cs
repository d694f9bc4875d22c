using Edison.Core.Datasets;
using Edison.Core.Datasets.Browse;
using Edison.Core.Datasets.Coverage;
using Edison.Core.Generation;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Edison.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Edison.Web.Pages.Datasets;

[RequireProjectRole(ProjectRole.Viewer)]
[EnableRateLimiting(AccountRateLimiting.SpendPolicy)]
public sealed class CoverageModel(DatasetCatalog catalog, CoverageService coverage, GenerationDefaultsQuery defaults, GenerationService generation)
    : PageModel
{
    public const int FillGapCount = 5;
    public const int HardenCount = 10;

    public DatasetSummary Dataset { get; private set; } = null!;

    public CoverageMap Map { get; private set; } = null!;

    public CoverageCell? Selected { get; private set; }

    public IReadOnlyList<DatasetCase> SelectedCases { get; private set; } = [];

    public bool CanEdit => HttpContext.CurrentProject()?.Role >= ProjectRole.Editor;

    [TempData]
    public string? Error { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, string? tag, string? difficulty, string? length, CancellationToken cancellationToken)
    {
        var dataset = await catalog.GetAsync(id, cancellationToken);
        if (dataset is null)
        {
            return NotFound();
        }

        Dataset = dataset;
        Map = await coverage.MapAsync(id, cancellationToken);
        Selected = Map.Cells.FirstOrDefault(c => c.Tag == tag && c.Difficulty == difficulty && c.Length == length);
        if (Selected is { Count: > 0 })
        {
            SelectedCases = await catalog.CasesByIdAsync(id, Selected.Cases.Select(c => c.Id).ToList(), cancellationToken);
        }

        return Page();
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostFillGapAsync(Guid id, string? tag, string? difficulty, string? length, CancellationToken cancellationToken)
    {
        if (tag is null || difficulty is null || length is null || !LengthBuckets.All.Contains(length) || !CoverageGrid.Difficulties.Contains(difficulty))
        {
            Error = "Choose a cell of the heatmap to fill.";
            return RedirectToPage("/Datasets/Coverage", new { id });
        }

        var d = await defaults.ForDatasetAsync(id, cancellationToken);
        if (d is null)
        {
            return NotFound();
        }

        var (request, error) = GenerationPlans.FillGap(d, tag, difficulty, length, FillGapCount);
        return await StartAsync(id, request, error, cancellationToken);
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostHardenAsync(Guid id, CancellationToken cancellationToken)
    {
        var d = await defaults.ForDatasetAsync(id, cancellationToken);
        if (d is null)
        {
            return NotFound();
        }

        var targets = await coverage.WeaknessesAsync(id, cancellationToken);
        if (targets is null)
        {
            Error = "No iteration has scored this dataset yet: run one, then harden against what it shows.";
            return RedirectToPage("/Datasets/Coverage", new { id });
        }

        var (request, error) = GenerationPlans.Harden(d, targets, HardenCount);
        return await StartAsync(id, request, error, cancellationToken);
    }

    public static string Label(CoverageCell cell) =>
        (cell.IsGap ? "gap" : "covered") + (cell.MeanScore is { } s ? $", score {s:0.00} ({cell.Band})" : ", not scored");

    private async Task<IActionResult> StartAsync(Guid id, GenerationRequest? request, string? error, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            Error = error;
            return RedirectToPage("/Datasets/Coverage", new { id });
        }

        var runId = await generation.StartAsync(HttpContext.Actor(), request, cancellationToken);
        return RedirectToPage("/Generation/Run", new { id = runId });
    }
}

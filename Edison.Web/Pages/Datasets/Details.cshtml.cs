using System.Globalization;
using Edison.Core.Datasets.Browse;
using Edison.Core.Datasets.Import;
using Edison.Core.Datasets.Splits;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Datasets;

[RequireProjectRole(ProjectRole.Viewer)]
public sealed class DetailsModel(DatasetCatalog catalog, DatasetSplitService splits, DatasetExporter exporter) : PageModel
{
    public DatasetSummary Dataset { get; private set; } = null!;

    public CasePage Cases { get; private set; } = null!;

    public IReadOnlyList<TagCount> Tags { get; private set; } = [];

    public IReadOnlyList<DatasetVersionInfo> Versions { get; private set; } = [];

    public SplitCounts Counts { get; private set; } = new(0, 0, 0);

    public bool CanEdit => HttpContext.CurrentProject()?.Role >= ProjectRole.Editor;

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Tag { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Split { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    /// The case whose editor is open.
    [BindProperty(SupportsGet = true)]
    public Guid? Edit { get; set; }

    public CaseEditForm? Editor { get; private set; }

    public Dictionary<string, List<string>> EditErrors { get; private set; } = [];

    [TempData]
    public string? Message { get; set; }

    [TempData]
    public string? Error { get; set; }

    public CaseQuery Query => new(Search, Tag, Split, Math.Max(1, PageNumber));

    /// The filter (and a page) as route values, for the pager and the address bar.
    public Dictionary<string, string> FilterRoute(int? page = null)
    {
        var route = new Dictionary<string, string> { ["id"] = Dataset.Id.ToString() };
        if (!string.IsNullOrWhiteSpace(Search))
        {
            route["q"] = Search;
        }

        if (!string.IsNullOrWhiteSpace(Tag))
        {
            route["tag"] = Tag;
        }

        if (!string.IsNullOrWhiteSpace(Split))
        {
            route["split"] = Split;
        }

        if ((page ?? Query.Page) > 1)
        {
            route["p"] = (page ?? Query.Page).ToString(CultureInfo.InvariantCulture);
        }

        return route;
    }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        if (Edit is { } caseId && CanEdit && await catalog.GetCaseAsync(id, caseId, cancellationToken) is { } c)
        {
            Editor = CaseEditForm.From(c);
        }

        return Page();
    }

    /// The case list for the filter in the query string; the filter form and pager swap it in place.
    public async Task<IActionResult> OnGetCasesAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        if (Request.IsHtmx())
        {
            Response.Htmx(h => h.PushUrl(Url.Page("/Datasets/Details", FilterRoute())!));
            return Partial("_Cases", this);
        }

        return Page();
    }

    public async Task<IActionResult> OnGetExportAsync(Guid id, string? format, int? version, CancellationToken cancellationToken)
    {
        var dataset = await catalog.GetAsync(id, cancellationToken);
        if (dataset is null)
        {
            return NotFound();
        }

        var (kind, extension, contentType) = (format ?? "csv").ToLowerInvariant() switch
        {
            "jsonl" => (ImportFormat.JsonLines, "jsonl", "application/x-ndjson"),
            "json" => (ImportFormat.JsonArray, "json", "application/json"),
            _ => (ImportFormat.Csv, "csv", "text/csv"),
        };
        var stream = new MemoryStream();
        await exporter.ExportAsync(id, version, kind, stream, cancellationToken);
        stream.Position = 0;
        var name = string.Concat(dataset.Name.Select(ch => char.IsLetterOrDigit(ch) ? ch : '-')).Trim('-');
        return File(stream, contentType + "; charset=utf-8", $"{(name.Length == 0 ? "dataset" : name)}-v{version ?? dataset.CurrentVersion}.{extension}");
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostStratifyAsync(Guid id, int? seed, CancellationToken cancellationToken)
    {
        var change = await splits.StratifyAsync(HttpContext.Actor(), id, seed, cancellationToken);
        Say(change.Error, $"Stratified by tag: {change.Moved} cases moved; now {Describe(change.Counts)} (version {change.DatasetVersion}).");
        return Back(id);
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostAssignAsync(Guid id, Guid[]? selected, string? split, CancellationToken cancellationToken)
    {
        if (selected is not { Length: > 0 })
        {
            Error = "Select the cases to move first.";
            return Back(id);
        }

        var change = await splits.AssignAsync(HttpContext.Actor(), id, selected.Distinct().ToDictionary(c => c, _ => split ?? ""), cancellationToken);
        Say(change.Error, $"{change.Moved} cases moved to {split}; now {Describe(change.Counts)} (version {change.DatasetVersion}).");
        return Back(id);
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostTagAsync(Guid id, Guid[]? selected, string? tag, CancellationToken cancellationToken)
    {
        var change = await catalog.TagAsync(HttpContext.Actor(), id, selected ?? [], tag ?? "", cancellationToken);
        Say(change.Error, $"Tagged {change.Changed} case{(change.Changed == 1 ? "" : "s")} \"{tag?.Trim().ToLowerInvariant()}\" (version {change.DatasetVersion}).");
        return Back(id);
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostSaveCaseAsync(Guid id, Guid caseId, CaseEditForm form, CancellationToken cancellationToken)
    {
        if (caseId == Guid.Empty)
        {
            Error = "No case was named: open a case's editor and save from there.";
            return Back(id);
        }

        var (edited, errors) = form.ToCase();
        if (edited is null)
        {
            if (!await LoadAsync(id, cancellationToken))
            {
                return NotFound();
            }

            Edit = caseId;
            Editor = form;
            EditErrors = errors;
            return Page();
        }

        var change = await catalog.EditAsync(HttpContext.Actor(), id, caseId, edited, cancellationToken);
        Say(change.Error, $"Case saved as version {change.DatasetVersion} of the dataset; earlier iterations keep the version they ran.");
        return Back(id);
    }

    public IReadOnlyList<string>? ErrorsFor(string field) => EditErrors.TryGetValue(field, out var e) ? e : null;

    private static string Describe(SplitCounts c) => $"{c.Train} train, {c.Validation} validation, {c.Test} test";

    private void Say(string? error, string success)
    {
        if (error is null)
        {
            Message = success;
        }
        else
        {
            Error = error;
        }
    }

    private RedirectToPageResult Back(Guid id) => RedirectToPage("/Datasets/Details", new { id });

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var dataset = await catalog.GetAsync(id, cancellationToken);
        if (dataset is null)
        {
            return false;
        }

        Dataset = dataset;
        Cases = await catalog.CasesAsync(id, Query, cancellationToken);
        Tags = await catalog.TagsAsync(id, cancellationToken);
        Versions = await catalog.VersionsAsync(id, cancellationToken);
        Counts = await splits.CountsAsync(id, cancellationToken);
        return true;
    }
}

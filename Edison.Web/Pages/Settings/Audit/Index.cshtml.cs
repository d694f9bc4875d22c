using System.Globalization;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Net.Http.Headers;

namespace Edison.Web.Pages.Settings.Audit;

/// The project's audit log for its admins: filters in the URL, newest first, paged, and the same filtered set as CSV or JSON Lines.
[RequireProjectRole(ProjectRole.Admin)]
public sealed class IndexModel(AuditLogReader audit, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "user")]
    public string? FilterUser { get; set; }

    [BindProperty(SupportsGet = true, Name = "act")]
    public string? FilterAction { get; set; }

    [BindProperty(SupportsGet = true, Name = "entity")]
    public string? FilterEntity { get; set; }

    [BindProperty(SupportsGet = true, Name = "from")]
    public DateOnly? From { get; set; }

    [BindProperty(SupportsGet = true, Name = "to")]
    public DateOnly? To { get; set; }

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Text { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    public AuditPage Entries { get; private set; } = new([], 1, AuditLogReader.DefaultPageSize, false);

    public AuditChoices Choices { get; private set; } = new([], [], []);

    public Guid ProjectId { get; private set; }

    public bool Filtered => Filter != new AuditFilter();

    public string? DateError => ModelState.TryGetValue("from", out var f) && f.Errors.Count > 0 || ModelState.TryGetValue("to", out var t) && t.Errors.Count > 0
        ? "Use dates like 2026-01-31."
        : From > To ? "The first day is after the last day: nothing can match." : null;

    private AuditFilter Filter => new()
    {
        User = Blank(FilterUser), Action = Blank(FilterAction), EntityType = Blank(FilterEntity), From = From, To = To, Text = Blank(Text),
    };

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var actor = HttpContext.Actor();
        ProjectId = HttpContext.CurrentProject()!.ProjectId;
        Choices = await audit.ChoicesAsync(actor, ProjectId, cancellationToken);
        Entries = await audit.PageAsync(actor, ProjectId, Filter, PageNumber, AuditLogReader.DefaultPageSize, cancellationToken);
    }

    [RequireProjectRole(ProjectRole.Admin)]
    public Task<IActionResult> OnGetCsvAsync(CancellationToken cancellationToken) =>
        ExportAsync(AuditExportFormat.Csv, "text/csv; charset=utf-8", "csv", cancellationToken);

    [RequireProjectRole(ProjectRole.Admin)]
    public Task<IActionResult> OnGetJsonLinesAsync(CancellationToken cancellationToken) =>
        ExportAsync(AuditExportFormat.JsonLines, "application/x-ndjson; charset=utf-8", "jsonl", cancellationToken);

    /// The query string for this filter on another page (or an export), so every link keeps the filter and the project.
    public Dictionary<string, string> RouteFor(int? page = null)
    {
        var route = new Dictionary<string, string>(StringComparer.Ordinal) { [ProjectAuthorizer.ProjectQueryKey] = ProjectId.ToString() };
        Add(route, "user", Blank(FilterUser));
        Add(route, "act", Blank(FilterAction));
        Add(route, "entity", Blank(FilterEntity));
        Add(route, "from", From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add(route, "to", To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add(route, "q", Blank(Text));
        Add(route, "p", page?.ToString(CultureInfo.InvariantCulture));
        return route;
    }

    // Streamed straight to the response: an export of a long log never sits in memory.
    private async Task<IActionResult> ExportAsync(AuditExportFormat format, string contentType, string extension, CancellationToken cancellationToken)
    {
        var projectId = HttpContext.CurrentProject()!.ProjectId;
        Response.ContentType = contentType;
        Response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment")
        {
            FileName = $"audit-{time.GetUtcNow():yyyyMMdd-HHmmss}.{extension}",
        }.ToString();
        Response.Headers.CacheControl = "no-store";
        await audit.ExportAsync(HttpContext.Actor(), projectId, Filter, format, Response.Body, cancellationToken);
        return new EmptyResult();
    }

    private static void Add(Dictionary<string, string> route, string key, string? value)
    {
        if (value is not null)
        {
            route[key] = value;
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

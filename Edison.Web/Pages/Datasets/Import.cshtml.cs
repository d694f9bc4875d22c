using System.Globalization;
using Edison.Core.Datasets.Browse;
using Edison.Core.Datasets.Import;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Datasets;

[RequireProjectRole(ProjectRole.Editor)]
[OverLimitUpload]
[RequestSizeLimit(OverLimitUploadAttribute.MaxRequestBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = OverLimitUploadAttribute.MaxRequestBytes)]
public sealed class ImportModel(DatasetImporter importer, DatasetCatalog catalog, ImportStaging staging) : PageModel
{
    public const int PreviewRows = 10;

    public IReadOnlyList<DatasetSummary> Datasets { get; private set; } = [];

    /// The staged upload the mapping and commit steps read.
    [BindProperty]
    public Guid? Token { get; set; }

    [BindProperty]
    public ImportFormat Format { get; set; }

    [BindProperty]
    public List<MappingColumn> Columns { get; set; } = [];

    /// The dataset to import into (a new version), or null for a new dataset. Bound as a handler argument, never as a
    /// property, so the role check sees it and another project's dataset answers 404.
    public Guid? DatasetId { get; private set; }

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? FileName { get; set; }

    public ImportPreview? Preview { get; private set; }

    public ImportResult? Result { get; private set; }

    public string? Error { get; private set; }

    public Dictionary<string, List<string>> FieldErrors { get; } = [];

    public static string LimitText => $"{ImportLimits.MaxBytes / (1024 * 1024)} MB and {ImportLimits.MaxRowsText} rows";

    public async Task OnGetAsync(Guid? datasetId, long? tooLarge, CancellationToken cancellationToken)
    {
        DatasetId = datasetId;
        if (tooLarge is { } bytes)
        {
            Error = string.Create(CultureInfo.InvariantCulture,
                $"The upload is {bytes / (1024.0 * 1024.0):0.#} MB: the limit is {LimitText}. Nothing was imported. Split the file into smaller files.");
        }

        await LoadAsync(cancellationToken);
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostUploadAsync(IFormFile? file, string? formatChoice, Guid? datasetId, CancellationToken cancellationToken)
    {
        DatasetId = datasetId;
        await LoadAsync(cancellationToken);
        if (file is null)
        {
            FieldErrors["file"] = ["Choose a CSV, JSONL or JSON file to import."];
            return Page();
        }

        var format = FormatOf(formatChoice, file.FileName);
        if (format is null)
        {
            FieldErrors["format"] = ["Say which format the file is in: its name does not end in .csv, .jsonl, .ndjson or .json."];
            return Page();
        }

        Format = format.Value;
        FileName = Path.GetFileName(file.FileName);
        if (string.IsNullOrWhiteSpace(Name) && DatasetId is null)
        {
            Name = Path.GetFileNameWithoutExtension(FileName);
        }

        await using (var upload = file.OpenReadStream())
        {
            Token = await staging.SaveAsync(ProjectId, upload, cancellationToken);
        }

        return await PreviewAsync(mapping: null, cancellationToken);
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostPreviewAsync(Guid? datasetId, CancellationToken cancellationToken)
    {
        DatasetId = datasetId;
        await LoadAsync(cancellationToken);
        return await PreviewAsync(Mapping(), cancellationToken);
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostCommitAsync(Guid? datasetId, CancellationToken cancellationToken)
    {
        DatasetId = datasetId;
        await LoadAsync(cancellationToken);
        if (DatasetId is null && string.IsNullOrWhiteSpace(Name))
        {
            FieldErrors["name"] = ["Name the new dataset, or choose one to import into."];
            return await PreviewAsync(Mapping(), cancellationToken);
        }

        await using var stream = Token is { } token ? staging.Open(ProjectId, token) : null;
        if (stream is null)
        {
            Error = "The uploaded file is no longer here (uploads are kept for a day). Upload it again.";
            Token = null;
            return Page();
        }

        Result = await importer.CommitAsync(HttpContext.Actor(), ProjectId, null, DatasetId, Name ?? "", stream, Format, Format == ImportFormat.Csv ? Mapping() : null,
            cancellationToken);
        await stream.DisposeAsync();
        staging.Delete(ProjectId, Token!.Value);
        if (!Result.Succeeded)
        {
            Error = Result.Error + " Nothing was imported.";
            Token = null;
        }

        return Page();
    }

    public IReadOnlyList<string>? ErrorsFor(string field) => FieldErrors.TryGetValue(field, out var e) ? e : null;

    private Guid ProjectId => HttpContext.CurrentProject()!.ProjectId;

    private async Task<IActionResult> PreviewAsync(ColumnMapping? mapping, CancellationToken cancellationToken)
    {
        await using var stream = Token is { } token ? staging.Open(ProjectId, token) : null;
        if (stream is null)
        {
            Error = "The uploaded file is no longer here (uploads are kept for a day). Upload it again.";
            Token = null;
            return Page();
        }

        Preview = await DatasetImporter.PreviewAsync(stream, Format, mapping, PreviewRows, cancellationToken);
        if (Preview.FileError is not null)
        {
            Error = Preview.FileError + " Nothing was imported.";
            await stream.DisposeAsync();
            staging.Delete(ProjectId, Token!.Value);
            Token = null;
            Preview = null;
            return Page();
        }

        if (Format == ImportFormat.Csv && Preview.Mapping is { } used)
        {
            Columns = Preview.Headers.Select(h => new MappingColumn { Header = h, Role = used.RoleOf(h) }).ToList();
        }

        return Page();
    }

    private ColumnMapping? Mapping() => Format != ImportFormat.Csv || Columns.Count == 0
        ? null
        : new ColumnMapping(Columns.Where(c => !string.IsNullOrEmpty(c.Header)).GroupBy(c => c.Header, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Role, StringComparer.Ordinal));

    private static ImportFormat? FormatOf(string? choice, string fileName) => choice switch
    {
        "csv" => ImportFormat.Csv,
        "jsonl" => ImportFormat.JsonLines,
        "json" => ImportFormat.JsonArray,
        _ => Path.GetExtension(fileName).ToLowerInvariant() switch
        {
            ".csv" => ImportFormat.Csv,
            ".jsonl" or ".ndjson" => ImportFormat.JsonLines,
            ".json" => ImportFormat.JsonArray,
            _ => null,
        },
    };

    private async Task LoadAsync(CancellationToken cancellationToken) => Datasets = await catalog.ListAsync(ProjectId, cancellationToken);
}

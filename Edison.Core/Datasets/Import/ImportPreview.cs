namespace Edison.Core.Datasets.Import;

/// <summary>
/// What the preview step shows: the headers, the suggested (or given) mapping, the first rows as cases, every row error
/// of the whole file, and the row count, or the file-level error.
/// </summary>
public sealed record ImportPreview(string? FileError, IReadOnlyList<string> Headers, ColumnMapping? Mapping,
    IReadOnlyList<ImportedRow> FirstRows, IReadOnlyList<ImportRowError> Errors, int TotalRows, int ValidRows);

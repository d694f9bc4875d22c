namespace Edison.Core.Datasets.Import;

/// <summary>
/// A parsed file: either a <see cref="FileError"/> (empty, binary, too large, too many rows, malformed quoting: nothing is
/// imported) or the valid rows plus an error per skipped row.
/// </summary>
public sealed record ImportParse(string? FileError, IReadOnlyList<string> Headers, IReadOnlyList<ImportedRow> Rows,
    IReadOnlyList<ImportRowError> Errors, int TotalRows)
{
    /// <summary>A file-level failure.</summary>
    public static ImportParse Failed(string error) => new(error, [], [], [], 0);
}

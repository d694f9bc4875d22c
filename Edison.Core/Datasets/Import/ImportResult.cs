namespace Edison.Core.Datasets.Import;

/// <summary>
/// The outcome of a commit: the dataset and version the valid rows went into and the rows skipped with their errors, or
/// the file-level <see cref="Error"/> (then nothing was written).
/// </summary>
public sealed record ImportResult(string? Error, Guid? DatasetId, int? DatasetVersion, int Imported,
    IReadOnlyList<ImportRowError> Skipped, TimeSpan Elapsed)
{
    /// <summary>True when the valid rows were written.</summary>
    public bool Succeeded => Error is null;
}

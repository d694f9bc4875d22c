namespace Edison.Core.Datasets.Import;

/// <summary>The stated limits of an import, checked before any row is read.</summary>
public static class ImportLimits
{
    /// <summary>The largest file accepted: 20 MB.</summary>
    public const long MaxBytes = 20L * 1024 * 1024;

    /// <summary>The most rows (cases) one file may hold.</summary>
    public const int MaxRows = 50_000;

    /// <summary><see cref="MaxRows"/> as people read it.</summary>
    public const string MaxRowsText = "50,000";
}

namespace Edison.Core.Datasets.Browse;

/// <summary>The outcome of editing or tagging cases: the new dataset version, or why nothing changed.</summary>
public sealed record CaseChange(string? Error, int? DatasetVersion, int Changed)
{
    /// <summary>True when a new version was written.</summary>
    public bool Succeeded => Error is null;
}

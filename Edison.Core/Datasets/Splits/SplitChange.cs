namespace Edison.Core.Datasets.Splits;

/// <summary>The outcome of a split change: the new dataset version (or an error) and the counts per split.</summary>
public sealed record SplitChange(string? Error, int? DatasetVersion, int Moved, SplitCounts Counts);

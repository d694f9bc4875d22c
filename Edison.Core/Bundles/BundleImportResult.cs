namespace Edison.Core.Bundles;

/// <summary>The imported experiment's new id and how many rows each table received.</summary>
public sealed record BundleImportResult(Guid ExperimentId, IReadOnlyDictionary<string, int> Rows);

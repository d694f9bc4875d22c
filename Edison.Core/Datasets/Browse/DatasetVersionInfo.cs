namespace Edison.Core.Datasets.Browse;

/// <summary>One frozen version of a dataset: its number, what changed, and how many cases it holds.</summary>
public sealed record DatasetVersionInfo(int Version, string Note, int Cases, DateTime CreatedAt);

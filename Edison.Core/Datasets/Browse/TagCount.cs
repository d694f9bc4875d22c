namespace Edison.Core.Datasets.Browse;

/// <summary>A tag and how many current cases carry it.</summary>
public sealed record TagCount(string Tag, int Cases);

namespace Edison.Core.ReadModels;

/// <summary>Which rows of an iteration's results grid to show; every field is optional and they combine with AND.</summary>
public sealed record ResultsFilter
{
    /// <summary>The page size of the grid.</summary>
    public const int PageSize = 50;

    /// <summary>Only failed answers or failed judgments.</summary>
    public bool Failures { get; init; }

    /// <summary>With <see cref="Below"/>: only outputs some judge scored under that on this criterion.</summary>
    public string? Criterion { get; init; }

    /// <summary>The threshold for <see cref="Criterion"/>.</summary>
    public double? Below { get; init; }

    /// <summary>Only cases with this tag.</summary>
    public string? Tag { get; init; }

    /// <summary>Only cases of this split.</summary>
    public string? Split { get; init; }

    /// <summary>Only outputs whose judges' composites differ by a point or more.</summary>
    public bool Disagreement { get; init; }

    /// <summary>Only outputs with a safety or PII flag.</summary>
    public bool Flagged { get; init; }

    /// <summary>Only outputs cut off by a length limit or filter.</summary>
    public bool CutOff { get; init; }

    /// <summary>The 1-based page.</summary>
    public int Page { get; init; } = 1;
}

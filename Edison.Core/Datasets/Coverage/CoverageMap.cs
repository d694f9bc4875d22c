namespace Edison.Core.Datasets.Coverage;

/// <summary>
/// The coverage of a dataset: every tag × difficulty × length cell (empty ones included, as gaps), and the iteration whose
/// scores colour it (null when none ran on this dataset yet).
/// </summary>
public sealed record CoverageMap(IReadOnlyList<string> Tags, IReadOnlyList<string> Difficulties, IReadOnlyList<string> Lengths,
    IReadOnlyList<CoverageCell> Cells, Guid? IterationId, int? IterationNumber)
{
    /// <summary>The tag untagged cases are listed under.</summary>
    public const string Untagged = "(untagged)";

    /// <summary>The difficulty cases without one are listed under.</summary>
    public const string NoDifficulty = "unset";

    /// <summary>The cell at (tag, difficulty, length).</summary>
    public CoverageCell Cell(string tag, string difficulty, string length) =>
        Cells.First(c => c.Tag == tag && c.Difficulty == difficulty && c.Length == length);

    /// <summary>The cells that are gaps.</summary>
    public IEnumerable<CoverageCell> Gaps => Cells.Where(c => c.IsGap);
}

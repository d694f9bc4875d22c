namespace Edison.Core.Datasets.Coverage;

/// <summary>One cell of the heatmap: the cases with <see cref="Tag"/>, <see cref="Difficulty"/> and <see cref="Length"/>.</summary>
public sealed record CoverageCell(string Tag, string Difficulty, string Length, IReadOnlyList<CoverageCase> Cases)
{
    /// <summary>Cells with fewer cases than this are gaps.</summary>
    public const int GapBelow = 3;

    /// <summary>How many cases the cell holds.</summary>
    public int Count => Cases.Count;

    /// <summary>True when the cell holds fewer than <see cref="GapBelow"/> cases.</summary>
    public bool IsGap => Count < GapBelow;

    /// <summary>The mean normalised score (0–1) of the scored cases, or null when none was scored.</summary>
    public double? MeanScore => Cases.Where(c => c.Score is not null).Select(c => c.Score!.Value).DefaultIfEmpty(double.NaN).Average() is var m
        && double.IsFinite(m) ? m : null;

    /// <summary>The colour band of the mean score: none, low (under 0.5), mid (under 0.8) or high.</summary>
    public string Band => MeanScore switch
    {
        null => "none",
        < 0.5 => "low",
        < 0.8 => "mid",
        _ => "high",
    };
}

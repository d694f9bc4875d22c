namespace Edison.Core.Experiments;

/// <summary>The kinds of judge an experiment can have.</summary>
public static class JudgeKinds
{
    /// <summary>Scores one output per criterion, reasons first, suggests prompt fixes.</summary>
    public const string Pointwise = "pointwise";

    /// <summary>Picks the better of two outputs for the same case, asked in both orders.</summary>
    public const string Pairwise = "pairwise";

    /// <summary>A person's ratings, counted like a judge.</summary>
    public const string Human = "human";
}

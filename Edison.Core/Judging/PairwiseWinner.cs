namespace Edison.Core.Judging;

/// <summary>A pairwise verdict's winner relative to the order shown, and how two orders combine.</summary>
public static class PairwiseWinner
{
    /// <summary>The answer shown first won.</summary>
    public const string First = "first";

    /// <summary>The answer shown second won.</summary>
    public const string Second = "second";

    /// <summary>Neither is better, or the two orders disagreed.</summary>
    public const string Tie = "tie";

    /// <summary>Reads a judge's "A" / "B" / "tie".</summary>
    public static (string? Winner, string? Error) Parse(string? answer) => answer?.Trim().ToUpperInvariant() switch
    {
        "A" => (First, null),
        "B" => (Second, null),
        "TIE" or "TIED" or "EQUAL" => (Tie, null),
        _ => (null, $"The judge named '{answer}' as the winner; it must be A, B or tie."),
    };

    /// <summary>
    /// The output that won a pair judged in both orders, or null for a tie: one answer wins only when both orders pick it,
    /// which cancels the judge's position bias.
    /// </summary>
    public static Guid? Combine(Guid x, Guid y, (Guid Shown1, string Winner) first, (Guid Shown1, string Winner) second)
    {
        var a = WinnerOf(x, y, first);
        var b = WinnerOf(x, y, second);
        return a is not null && a == b ? a : null;
    }

    private static Guid? WinnerOf(Guid x, Guid y, (Guid Shown1, string Winner) verdict) => verdict.Winner switch
    {
        First => verdict.Shown1,
        Second => verdict.Shown1 == x ? y : x,
        _ => null,
    };
}

using System.Globalization;

namespace Edison.Core.Statistics;

/// <summary>
/// Whether a comparison on this many validation cases can ever be significant: the exact sign-flip test on n cases cannot
/// give a p below 2 / 2<sup>n</sup>, so with α = 0.05 fewer than 6 cases can never show a change.
/// </summary>
public static class SignificanceReach
{
    /// <summary>The smallest p the sign-flip test can reach on <paramref name="cases"/> paired cases.</summary>
    public static double SmallestP(int cases) => PermutationSignFlip.SmallestPValue(cases);

    /// <summary>The fewest cases whose smallest reachable p is below <paramref name="alpha"/>.</summary>
    public static int CasesNeeded(double alpha)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(alpha, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(alpha, 1);
        var n = 1;
        while (SmallestP(n) >= alpha)
        {
            n++;
        }

        return n;
    }

    /// <summary>
    /// The warning in words when no change can be shown significant on <paramref name="validationCases"/> cases at
    /// <paramref name="alpha"/>, or null when a change can.
    /// </summary>
    public static string? Warning(int validationCases, double alpha)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(validationCases);
        var needed = CasesNeeded(alpha);
        if (validationCases >= needed)
        {
            return null;
        }

        var cases = validationCases == 1 ? "1 validation case" : string.Create(CultureInfo.InvariantCulture, $"{validationCases} validation cases");
        var smallest = validationCases == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" (the smallest p they can give is {SmallestP(validationCases):0.###}, α is {alpha:0.###})");
        return string.Create(CultureInfo.InvariantCulture,
            $"With {cases} no change can be shown significant{smallest}; add at least {needed - validationCases}.");
    }
}

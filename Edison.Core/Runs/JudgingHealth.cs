using System.Globalization;
using Edison.Core.Statistics;

namespace Edison.Core.Runs;

/// <summary>
/// Whether an iteration's verdicts can be scored on. It cannot when fewer than half of its LLM verdicts are valid, or when
/// fewer cases are scored than the validation minimum (the fewest cases on which the sign-flip test can reach p below α, applied
/// only for datasets that can reach it): it then ends "judging failed" instead of aggregating into a version score.
/// </summary>
public static class JudgingHealth
{
    /// <summary>Why judging failed, in words, or null when the verdicts can be scored on.</summary>
    public static string? FailureReason(int validVerdicts, int totalVerdicts, int scoredCases, int totalCases, double alpha)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(validVerdicts);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(validVerdicts, totalVerdicts);
        ArgumentOutOfRangeException.ThrowIfNegative(scoredCases);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scoredCases, totalCases);
        if (totalVerdicts > 0 && validVerdicts * 2 < totalVerdicts)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"Judging failed: only {validVerdicts} of {totalVerdicts} verdicts were valid (fewer than half), so {scoredCases} of {totalCases} cases were scored. Nothing was aggregated, refined or sent for review; re-judge the failed verdicts.");
        }

        // A dataset smaller than the minimum cannot reach it at all; the significance warning says so, and only the first rule applies.
        var minimum = SignificanceReach.CasesNeeded(alpha);
        return totalCases >= minimum && scoredCases < minimum
            ? string.Create(CultureInfo.InvariantCulture,
                $"Judging failed: {scoredCases} of {totalCases} cases were scored, fewer than the {minimum} a comparison needs ({validVerdicts} of {totalVerdicts} verdicts valid). Nothing was aggregated, refined or sent for review; re-judge the failed verdicts.")
            : null;
    }
}

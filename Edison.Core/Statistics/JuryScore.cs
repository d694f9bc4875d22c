namespace Edison.Core.Statistics;

/// <summary>Combines the valid verdicts of a jury of judges.</summary>
public static class JuryScore
{
    /// <summary>
    /// The combined score of the judges that returned a valid verdict, or null when none did. <see cref="JuryAggregation.TrimmedMean"/>
    /// drops exactly one minimum and one maximum when there are three or more scores, and is the plain mean below that.
    /// </summary>
    public static double? Combine(IReadOnlyList<double> validScores, JuryAggregation how)
    {
        ArgumentNullException.ThrowIfNull(validScores);
        if (validScores.Count == 0)
        {
            return null;
        }

        var sorted = validScores.ToArray();
        Array.Sort(sorted);
        return how switch
        {
            JuryAggregation.Mean => sorted.Average(),
            JuryAggregation.Median => Bootstrap.Percentile(sorted, 0.5),
            JuryAggregation.TrimmedMean => sorted.Length >= 3 ? sorted[1..^1].Average() : sorted.Average(),
            _ => throw new ArgumentOutOfRangeException(nameof(how), how, "Unknown jury aggregation."),
        };
    }

    /// <summary>True when at least half the jury (and at least one judge) returned a valid verdict.</summary>
    public static bool IsSufficient(int validJudges, int totalJudges)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(validJudges);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(validJudges, totalJudges);
        return validJudges >= 1 && validJudges * 2 >= totalJudges;
    }
}

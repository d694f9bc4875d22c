namespace Edison.Core.Statistics;

/// <summary>How the scores of several judges on one output become one score.</summary>
public enum JuryAggregation
{
    /// <summary>Arithmetic mean.</summary>
    Mean,

    /// <summary>Middle value; the mean of the two middle values when their count is even.</summary>
    Median,

    /// <summary>Mean after dropping one lowest and one highest score, when there are at least three.</summary>
    TrimmedMean,
}

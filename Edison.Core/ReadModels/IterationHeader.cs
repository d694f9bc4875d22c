using Edison.Core.ClosedLoop;
using Edison.Core.Experiments;
using Edison.Core.Runs.Aggregation;
using Edison.Core.Statistics;

namespace Edison.Core.ReadModels;

/// <summary>An iteration's summary, statistics, comparison with its parent, phase costs and the suggestion waiting, if any.</summary>
public sealed record IterationHeader(Guid Id, Guid ExperimentId, string ExperimentName, int Number, string Status, bool IsPaused, int Version,
    string? Summary, IterationMetrics? Metrics, VersionComparison? Comparison, StopDecision? StopDetails, decimal CostUsd, Rubric Rubric,
    Guid? PendingSuggestionId, IReadOnlyList<PhaseCost> Phases, IReadOnlyList<string> Tags)
{
    /// <summary>The iteration's change stamp when this was read: what its kept page figures are keyed by.</summary>
    public long ChangeStamp { get; init; }

    /// <summary>The validation cases of the dataset version this iteration ran.</summary>
    public int ValidationCases { get; init; }

    /// <summary>The experiment's significance level.</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>In words, why no change can be shown significant on this validation split, or null when one can.</summary>
    public string? SignificanceWarning => SignificanceReach.Warning(ValidationCases, Alpha);

    /// <summary>The experiment's review mode.</summary>
    public string ReviewMode { get; init; } = "";

    /// <summary>Why autopilot waits for a person on this iteration's suggestion, or null when it would not.</summary>
    public string? AutopilotWaitReason => AutopilotGuard.Decide(ReviewMode, Comparison).WaitReason;
}

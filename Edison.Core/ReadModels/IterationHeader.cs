using Edison.Core.ClosedLoop;
using Edison.Core.Experiments;
using Edison.Core.Runs.Aggregation;

namespace Edison.Core.ReadModels;

/// <summary>An iteration's summary, statistics, comparison with its parent, phase costs and the suggestion waiting, if any.</summary>
public sealed record IterationHeader(Guid Id, Guid ExperimentId, string ExperimentName, int Number, string Status, bool IsPaused, int Version,
    string? Summary, IterationMetrics? Metrics, VersionComparison? Comparison, StopDecision? StopDetails, decimal CostUsd, Rubric Rubric,
    Guid? PendingSuggestionId, IReadOnlyList<PhaseCost> Phases, IReadOnlyList<string> Tags)
{
    /// <summary>The iteration's change stamp when this was read: what its kept page figures are keyed by.</summary>
    public long ChangeStamp { get; init; }
}

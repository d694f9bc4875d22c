using Edison.Core.ClosedLoop;
using Edison.Core.Experiments;

namespace Edison.Core.ReadModels;

/// <summary>What the experiment overview shows: the version lineage, every iteration's figures, cost and why the loop stopped.</summary>
public sealed record ExperimentOverview(Guid Id, string Name, string Status, string ReviewMode, Rubric Rubric, Guid? RecommendedVersionId,
    string? StopReason, StopDecision? StopDetails, IReadOnlyList<VersionNode> Versions, IReadOnlyList<IterationPoint> Iterations,
    IReadOnlyList<PendingSuggestion> PendingSuggestions)
{
    /// <summary>What every iteration cost, in USD.</summary>
    public decimal TotalCostUsd => Iterations.Sum(i => i.CostUsd);

    /// <summary>The newest iteration, or null before the first run.</summary>
    public IterationPoint? Latest => Iterations.Count == 0 ? null : Iterations[^1];
}

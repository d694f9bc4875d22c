using Edison.Core.ClosedLoop;
using Edison.Core.Experiments;
using Edison.Core.Statistics;

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

    /// <summary>The validation cases of the experiment's current dataset version.</summary>
    public int ValidationCases { get; init; }

    /// <summary>The experiment's significance level.</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>In words, why no change can be shown significant on the validation split, or null when one can.</summary>
    public string? SignificanceWarning => SignificanceReach.Warning(ValidationCases, Alpha);
}

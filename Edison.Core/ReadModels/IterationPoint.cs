using Edison.Core.Runs.Aggregation;

namespace Edison.Core.ReadModels;

/// <summary>One iteration's headline figures on the experiment overview.</summary>
public sealed record IterationPoint(Guid Id, int Number, string Status, bool IsPaused, int Version, IterationMetrics? Metrics, decimal CostUsd,
    string? StopReason, DateTime CreatedAt)
{
    /// <summary>Whether the iteration is still running (or waiting for review).</summary>
    public bool IsLive => !Runs.IterationStatus.IsTerminal(Status);
}

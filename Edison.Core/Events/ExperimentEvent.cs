namespace Edison.Core.Events;

/// <summary>
/// A signal that something about an experiment changed. Pages re-fetch the partial that changed; the event itself
/// carries only enough to say which partial and to update a progress figure.
/// </summary>
public sealed record ExperimentEvent(Guid ExperimentId, Guid? IterationId, string Kind, string? Status, int Done, int Total)
{
    /// <summary>Outputs or judgments were added to an iteration.</summary>
    public const string Progress = "progress";

    /// <summary>
    /// What the iteration has spent so far in USD (recorded provider calls), on progress events; null on events that do
    /// not carry it, and in events published before the field existed.
    /// </summary>
    public decimal? CostUsd { get; init; }

    /// <summary>An iteration changed phase.</summary>
    public const string StatusChanged = "status";
}

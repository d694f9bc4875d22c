namespace Edison.Core.Runs.Aggregation;

/// <summary>One pairwise verdict in one order: <see cref="Shown1"/> was shown first; <see cref="Winner"/> is relative to that order.</summary>
public sealed record PairVerdict(string Judge, Guid Shown1, Guid Shown2, bool Succeeded, string? Winner);

namespace Edison.Core.Runs;

/// <summary>The new iteration's id, or why it could not start (in words a person can act on).</summary>
public sealed record StartIterationResult(Guid? IterationId, string? Error);

namespace Edison.Core.ReadModels;

/// <summary>A suggestion waiting for a person, with where it came from.</summary>
public sealed record PendingSuggestion(Guid Id, Guid ExperimentId, string ExperimentName, Guid IterationId, int IterationNumber, int SourceVersion,
    string Note, DateTime CreatedAt);

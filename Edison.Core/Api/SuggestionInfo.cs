namespace Edison.Core.Api;

/// <summary>A refiner's suggestion and its review state.</summary>
public sealed record SuggestionInfo(Guid Id, Guid IterationId, Guid SourceVersionId, Guid? ProposedVersionId, string Status, string Note,
    string UnifiedDiff, DateTime CreatedAt);

namespace Edison.Core.ReadModels;

/// <summary>An earlier decision on a suggestion.</summary>
public sealed record ReviewEntry(string Decision, string Note, string? ReviewerName, DateTime CreatedAt);

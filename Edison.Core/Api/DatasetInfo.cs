namespace Edison.Core.Api;

/// <summary>A dataset as the API lists it: its current version and how many cases that version holds.</summary>
public sealed record DatasetInfo(Guid Id, Guid ProjectId, Guid? ExperimentId, string Name, string Kind, string Description, int CurrentVersion,
    int CaseCount, DateTime CreatedAt);

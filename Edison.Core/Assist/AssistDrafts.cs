namespace Edison.Core.Assist;

/// <summary>Three drafts of a field, or why there are none.</summary>
public sealed record AssistDrafts(IReadOnlyList<string> Options, string? Error);

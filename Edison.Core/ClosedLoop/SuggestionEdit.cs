namespace Edison.Core.ClosedLoop;

/// <summary>A reviewer's edit of a suggestion before approving it; null fields keep the suggestion's text.</summary>
public sealed record SuggestionEdit(string? Template, string? SystemText);

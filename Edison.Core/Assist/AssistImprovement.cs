namespace Edison.Core.Assist;

/// <summary>An improved text as a unified diff against the current text, with a reason per change, or why there is none.</summary>
public sealed record AssistImprovement(string Improved, string UnifiedDiff, IReadOnlyList<string> Reasons, string? Error);

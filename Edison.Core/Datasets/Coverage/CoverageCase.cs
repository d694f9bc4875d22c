namespace Edison.Core.Datasets.Coverage;

/// <summary>
/// A case as the heatmap places it: its tags, difficulty and input length, and its score in the latest iteration normalised to
/// 0–1 (null when it was not scored there).
/// </summary>
public sealed record CoverageCase(Guid Id, int Position, IReadOnlyList<string> Tags, string? Difficulty, int Length, double? Score);

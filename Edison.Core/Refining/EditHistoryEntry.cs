namespace Edison.Core.Refining;

/// <summary>An earlier edit of the prompt: the version it produced, its changelog and the measured change of the composite score.</summary>
public sealed record EditHistoryEntry(int Version, string Changelog, double? MeasuredEffect);

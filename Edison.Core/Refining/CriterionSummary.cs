namespace Edison.Core.Refining;

/// <summary>A rubric criterion's mean score in the iteration being refined, on its scale.</summary>
public sealed record CriterionSummary(string Name, double MeanScore, int ScaleMin, int ScaleMax);

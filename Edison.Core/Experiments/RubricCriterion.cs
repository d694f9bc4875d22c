namespace Edison.Core.Experiments;

/// <summary>One criterion of a rubric; <see cref="Weight"/>s of a rubric sum to 1.</summary>
public sealed record RubricCriterion(string Name, string Description, double Weight, int ScaleMin, int ScaleMax,
    IReadOnlyDictionary<int, string> Labels);

namespace Edison.Core.Assist;

/// <summary>A suggested rubric criterion: five labels for scores 1 to 5.</summary>
public sealed record CriterionAnswer(string Name, string Description, double Weight, IReadOnlyList<string> Labels);

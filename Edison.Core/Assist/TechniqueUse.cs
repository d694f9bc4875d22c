namespace Edison.Core.Assist;

/// <summary>Which prompt technique serves which rubric criterion, and why.</summary>
public sealed record TechniqueUse(string Technique, string Criterion, string Why);

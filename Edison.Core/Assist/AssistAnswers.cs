namespace Edison.Core.Assist;

/// <summary>The model's three drafts.</summary>
public sealed record AssistOptionsAnswer(IReadOnlyList<string> Options);

/// <summary>The model's improved text and its reasons.</summary>
public sealed record ImproveAnswer(string Improved, IReadOnlyList<string> Reasons);

/// <summary>A suggested rubric criterion: five labels for scores 1 to 5.</summary>
public sealed record CriterionAnswer(string Name, string Description, double Weight, IReadOnlyList<string> Labels);

/// <summary>A suggested rubric.</summary>
public sealed record RubricAnswer(IReadOnlyList<CriterionAnswer> Criteria);

/// <summary>Which prompt technique serves which rubric criterion, and why.</summary>
public sealed record TechniqueUse(string Technique, string Criterion, string Why);

/// <summary>The seed-prompt generator's answer.</summary>
public sealed record SeedPromptAnswer(string SystemText, string Template, IReadOnlyList<string> Variables, IReadOnlyList<TechniqueUse> Techniques);

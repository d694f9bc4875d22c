namespace Edison.Core.Assist;

/// <summary>A suggested rubric.</summary>
public sealed record RubricAnswer(IReadOnlyList<CriterionAnswer> Criteria);

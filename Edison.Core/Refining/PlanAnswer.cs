namespace Edison.Core.Refining;

/// The plan step's answer: reasoning, the changes to make and the criteria they target.
internal sealed record PlanAnswer(string Reasoning, IReadOnlyList<string> Changes, IReadOnlyList<string> TargetCriteria);

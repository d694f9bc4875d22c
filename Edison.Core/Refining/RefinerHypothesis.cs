namespace Edison.Core.Refining;

/// <summary>A diagnosed reason why the prompt falls short, with the cases that show it and the criterion it hurts.</summary>
public sealed record RefinerHypothesis(string Hypothesis, IReadOnlyList<string> CaseIds, string Criterion);

namespace Edison.Core.Judging;

/// <summary>A pairwise judge's answer: reasoning first, then which answer better meets the goal and rubric.</summary>
public sealed record PairwiseVerdict(string Reasoning, string Winner);

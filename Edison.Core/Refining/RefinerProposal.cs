namespace Edison.Core.Refining;

/// <summary>The refiner's proposal: the edited prompt, the edits that produced it, their diff and changelog, and the diagnosis.</summary>
public sealed record RefinerProposal(PromptFields Proposed, IReadOnlyList<PromptEdit> Edits, string UnifiedDiff, string Note,
    IReadOnlyList<RefinerHypothesis> Hypotheses, IReadOnlyList<string> TargetCriteria);

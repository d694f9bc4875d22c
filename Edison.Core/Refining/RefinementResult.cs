namespace Edison.Core.Refining;

/// <summary>The outcome of a refinement: a proposal, or the reason there is none; the steps are recorded either way.</summary>
public sealed record RefinementResult(bool Succeeded, string? Error, IReadOnlyList<RefinerStep> Steps, RefinerProposal? Proposal);

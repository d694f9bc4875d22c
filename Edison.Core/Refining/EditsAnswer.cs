namespace Edison.Core.Refining;

/// The edits (and revise) step's answer: anchored edits and a one-paragraph changelog.
internal sealed record EditsAnswer(IReadOnlyList<PromptEdit> Edits, string Note);

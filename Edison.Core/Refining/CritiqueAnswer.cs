namespace Edison.Core.Refining;

/// The critique step's answer: what the proposed edit gets wrong, and whether it may be tested as it is.
internal sealed record CritiqueAnswer(IReadOnlyList<string> Violations, bool Ok);

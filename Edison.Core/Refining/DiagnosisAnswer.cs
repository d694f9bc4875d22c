namespace Edison.Core.Refining;

/// The diagnose step's answer: reasoning first, then hypotheses that cite cases and a criterion.
internal sealed record DiagnosisAnswer(string Reasoning, IReadOnlyList<RefinerHypothesis> Hypotheses);

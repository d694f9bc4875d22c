using Edison.Core.ClosedLoop;
using Edison.Core.Refining;

namespace Edison.Core.ReadModels;

/// <summary>A refiner suggestion as its review page shows it, with the iteration it came from.</summary>
public sealed record SuggestionDetails(Guid Id, Guid ExperimentId, string ExperimentName, Guid IterationId, int IterationNumber, string IterationStatus,
    string? IterationSummary, int SourceVersion, string SourceTemplate, string SourceSystemText, string? ProposedTemplate, string ProposedSystemText,
    string UnifiedDiff, string Note, IReadOnlyList<RefinerHypothesis> Hypotheses, IReadOnlyList<RefinerStep> Steps,
    IReadOnlyList<string> TargetCriteria, string Status, string? Error, int Attempt, double? MeanScore, double? CiLow, double? CiHigh,
    VersionComparison? Comparison, IReadOnlyList<ReviewEntry> Reviews)
{
    /// <summary>Whether a person can still decide on it.</summary>
    public bool IsPending => Status == "pending" && IterationStatus == Runs.IterationStatus.Reviewing;
}

using Edison.Core.ClosedLoop;

namespace Edison.Core.Api;

/// <summary>
/// A CI check: <see cref="Status"/> is <c>running</c> until its iteration ends, then <c>passed</c> or <c>failed</c>, with
/// the reasons and the paired comparison with the production version when one was measured on the same cases.
/// </summary>
public sealed record CiCheckView(Guid Id, Guid ExperimentId, Guid IterationId, int Version, int? ProductionVersion, double Threshold,
    string Status, double? MeanScore, double? CiLow, double? CiHigh, IReadOnlyList<string> Reasons, VersionComparison? Comparison)
{
    /// <summary>Still running.</summary>
    public const string Running = "running";

    /// <summary>Met the threshold without a significant regression.</summary>
    public const string Passed = "passed";

    /// <summary>Missed the threshold, regressed, or the run failed.</summary>
    public const string Failed = "failed";
}

namespace Edison.Core.Regression;

/// <summary>
/// The JSON body of the <c>regression.detected</c> webhook: the scheduled run that was significantly worse than the previous
/// production run, with the paired comparison's figures (candidate minus baseline, on the rubric's scale).
/// </summary>
public sealed record RegressionAlertPayload(string Event, Guid AlertId, Guid ExperimentId, string ExperimentName, Guid IterationId,
    Guid? BaselineIterationId, int PromptVersion, int Cases, double MeanDifference, double CiLow, double CiHigh, double PValue,
    string Message, DateTimeOffset DetectedAt)
{
    /// <summary>The event name, also sent in the event header.</summary>
    public const string RegressionDetected = "regression.detected";
}

namespace Edison.Core.Regression;

/// <summary>A drop beyond the confidence interval found by a scheduled run, open until an editor acknowledges it.</summary>
public sealed record RegressionAlert(Guid Id, Guid ExperimentId, string ExperimentName, Guid IterationId, int IterationNumber,
    Guid? BaselineIterationId, int PromptVersion, int Cases, double MeanDifference, double CiLow, double CiHigh, double PValue,
    string Message, string WebhookStatus, DateTime CreatedAt, DateTime? AcknowledgedAt);

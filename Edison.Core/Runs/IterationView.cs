namespace Edison.Core.Runs;

/// <summary>An iteration's state and figures as its page shows them.</summary>
public sealed record IterationView(Guid Id, Guid ExperimentId, string ExperimentName, int Number, string Status, int OutputsDone,
    int OutputsTotal, int JudgmentsDone, int JudgmentsTotal, double? MeanScore, double? CiLow, double? CiHigh, int FailedOutputs,
    int FailedJudgments, decimal CostUsd, long InputTokens, long OutputTokens, string? Error)
{
    /// <summary>Whether the page should keep listening for progress.</summary>
    public bool IsLive => !IterationStatus.IsTerminal(Status);

    /// <summary>How many succeeded calls had no price, so the cost above leaves them out.</summary>
    public int UnpricedCalls { get; init; }

    /// <summary>The models without a price, comma-separated; null when every call was priced.</summary>
    public string? UnpricedModels { get; init; }
}

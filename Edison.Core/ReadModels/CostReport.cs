namespace Edison.Core.ReadModels;

/// <summary>The provider calls of one group (a day, a model, an experiment) and what they cost.</summary>
/// <param name="Name">The group: a date (yyyy-MM-dd), "provider · model", or an experiment's name.</param>
/// <param name="Calls">Provider calls, cache hits included.</param>
/// <param name="InputTokens">Input tokens.</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="CostUsd">Cost in USD at the prices of the time of each call.</param>
/// <param name="UnpricedCalls">Calls of a model without a known price (their cost is not in <paramref name="CostUsd"/>).</param>
/// <param name="ExperimentId">The experiment, for rows grouped by experiment.</param>
public sealed record CostLine(string Name, long Calls, long InputTokens, long OutputTokens, decimal CostUsd, long UnpricedCalls, Guid? ExperimentId = null);

/// <summary>A project's LLM spend between two dates (both included, UTC): totals, and by day, model and experiment.</summary>
public sealed record CostReport(DateOnly From, DateOnly To, CostLine Total, IReadOnlyList<CostLine> ByDay, IReadOnlyList<CostLine> ByModel,
    IReadOnlyList<CostLine> ByExperiment)
{
    /// <summary>Whether any call was made in the range.</summary>
    public bool IsEmpty => Total.Calls == 0;
}

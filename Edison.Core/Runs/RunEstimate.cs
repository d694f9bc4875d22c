namespace Edison.Core.Runs;

/// <summary>What the next iteration of an experiment is expected to cost, next to the experiment's budget and spend.</summary>
/// <param name="Parts">The figures per purpose and model.</param>
/// <param name="TotalUsd">The sum of the priced parts.</param>
/// <param name="UnpricedModels">Models without a price, whose calls are not in <paramref name="TotalUsd"/>.</param>
/// <param name="BudgetUsd">The experiment's budget (stop rules), if it has one.</param>
/// <param name="SpentUsd">What the experiment's recorded calls have cost so far.</param>
public sealed record RunEstimate(IReadOnlyList<RunEstimatePart> Parts, decimal TotalUsd, IReadOnlyList<string> UnpricedModels, decimal? BudgetUsd,
    decimal SpentUsd)
{
    /// <summary>"Price unknown for models X, Y", or null when every model has a price.</summary>
    public string? PriceWarning => UnpricedModels.Count == 0
        ? null
        : $"Price unknown for models {string.Join(", ", UnpricedModels)}: their calls are not in the estimate.";

    /// <summary>How many cases the prompts were counted on when that is fewer than all (the rest are scaled); null when all were.</summary>
    public int? SampledCases { get; init; }

    /// <summary>How many cases the run has.</summary>
    public int TotalCases { get; init; }

    /// <summary>True when what is spent plus this estimate passes the budget.</summary>
    public bool ExceedsBudget => BudgetUsd is { } budget && SpentUsd + TotalUsd > budget;

    /// <summary>The estimate in words, with the budget when there is one.</summary>
    public string Summary => (BudgetUsd is { } budget
        ? $"This run will cost about {BudgetGuard.Usd(TotalUsd)}; {BudgetGuard.Usd(SpentUsd)} of the {BudgetGuard.Usd(budget)} budget is spent, "
          + $"{BudgetGuard.Usd(Math.Max(0, budget - SpentUsd))} is left."
        : $"This run will cost about {BudgetGuard.Usd(TotalUsd)}; {BudgetGuard.Usd(SpentUsd)} is spent so far and there is no budget.")
        + (SampledCases is { } sampled
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (An estimate: prompts counted on {sampled:N0} of the {TotalCases:N0} cases.)")
            : "");
}

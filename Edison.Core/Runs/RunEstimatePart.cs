namespace Edison.Core.Runs;

/// <summary>One part of a run's estimated cost: the calls one model makes for one purpose.</summary>
/// <param name="Part">What the calls are for: model calls, pointwise judge, pairwise judge or refiner.</param>
/// <param name="Model">The model that is called.</param>
/// <param name="Calls">How many calls.</param>
/// <param name="InputTokens">Estimated input tokens of all the calls (counted on the rendered prompts).</param>
/// <param name="OutputTokens">The output allowance of all the calls.</param>
/// <param name="CostUsd">The estimated cost; 0 when <paramref name="PriceKnown"/> is false.</param>
/// <param name="PriceKnown">False when the model has no price, so the part is not in the total.</param>
public sealed record RunEstimatePart(string Part, string Model, int Calls, long InputTokens, long OutputTokens, decimal CostUsd, bool PriceKnown)
{
    /// <summary>The calls to the models under test: cases × samples per model.</summary>
    public const string ModelCalls = "Model calls";

    /// <summary>One pointwise verdict per output and pointwise judge.</summary>
    public const string PointwiseJudge = "Pointwise judge";

    /// <summary>One verdict per ordered pair of outputs and pairwise judge.</summary>
    public const string PairwiseJudge = "Pairwise judge";

    /// <summary>The refiner's steps when the loop goes on to a new version.</summary>
    public const string Refiner = "Refiner";
}

namespace Edison.Core.Experiments;

/// <summary>When the loop ends. The defaults are the product's; every rule that fires is stored with its numbers.</summary>
public sealed record StopRules
{
    /// <summary>Stop after this many iterations.</summary>
    public int MaxIterations { get; init; } = 10;

    /// <summary>The smallest improvement that counts, as a fraction of the rubric's scale range.</summary>
    public double MinEffect { get; init; } = 0.02;

    /// <summary>The significance level of the paired comparison with the parent on the validation split.</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>Stop after this many iterations in a row without a significant improvement.</summary>
    public int Patience { get; init; } = 3;

    /// <summary>Stop (and refuse to start) when the experiment's spend would pass this, in USD.</summary>
    public decimal? BudgetUsd { get; init; }

    /// <summary>Stop when the experiment's input plus output tokens pass this.</summary>
    public long? MaxTokens { get; init; }
}

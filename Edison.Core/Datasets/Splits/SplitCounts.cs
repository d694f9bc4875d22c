namespace Edison.Core.Datasets.Splits;

/// <summary>How many cases each split holds.</summary>
public sealed record SplitCounts(int Train, int Validation, int Test)
{
    /// <summary>All cases.</summary>
    public int Total => Train + Validation + Test;
}

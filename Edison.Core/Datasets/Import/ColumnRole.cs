namespace Edison.Core.Datasets.Import;

/// <summary>What a CSV column holds.</summary>
public enum ColumnRole
{
    /// <summary>Not imported.</summary>
    Ignore,

    /// <summary>A template variable named after the column.</summary>
    Variable,

    /// <summary>The expected output (reference answer).</summary>
    ExpectedOutput,

    /// <summary>Tags separated by <c>;</c>, <c>,</c> or <c>|</c>.</summary>
    Tags,

    /// <summary>easy, medium or hard.</summary>
    Difficulty,

    /// <summary>train, validation or test; empty means the dataset's seeded split.</summary>
    Split,
}

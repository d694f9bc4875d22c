namespace Edison.Core.Datasets;

/// <summary>One case as a dataset version holds it.</summary>
public sealed class DatasetCase
{
    /// <summary>The case id.</summary>
    public Guid Id { get; init; }

    /// <summary>Its position in the dataset.</summary>
    public int Position { get; init; }

    /// <summary>The case version the dataset version froze.</summary>
    public int Version { get; init; }

    /// <summary>The variables as a JSON object.</summary>
    public string Input { get; init; } = "{}";

    /// <summary>The expected output, if any.</summary>
    public string? ExpectedOutput { get; init; }

    /// <summary>The tags.</summary>
    public string[] Tags { get; init; } = [];

    /// <summary>easy, medium, hard or null.</summary>
    public string? Difficulty { get; init; }

    /// <summary>train, validation or test.</summary>
    public string Split { get; init; } = SplitAssigner.Train;
}

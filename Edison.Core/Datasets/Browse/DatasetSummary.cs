namespace Edison.Core.Datasets.Browse;

/// <summary>A dataset as the datasets list shows it.</summary>
public sealed class DatasetSummary
{
    /// <summary>The dataset id.</summary>
    public Guid Id { get; init; }

    /// <summary>The project it belongs to.</summary>
    public Guid ProjectId { get; init; }

    /// <summary>The experiment it was made for, if any.</summary>
    public Guid? ExperimentId { get; init; }

    /// <summary>That experiment's name.</summary>
    public string? ExperimentName { get; init; }

    /// <summary>Its name.</summary>
    public string Name { get; init; } = "";

    /// <summary>golden, synthetic or adversarial.</summary>
    public string Kind { get; init; } = "golden";

    /// <summary>The current version number.</summary>
    public int CurrentVersion { get; init; }

    /// <summary>Cases in the current state (not deleted).</summary>
    public int Cases { get; init; }

    /// <summary>When it was created.</summary>
    public DateTime CreatedAt { get; init; }
}

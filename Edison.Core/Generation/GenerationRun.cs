namespace Edison.Core.Generation;

/// <summary>A generation run's progress and outcome, as the page shows it.</summary>
public sealed class GenerationRun
{
    /// <summary>The run id.</summary>
    public Guid Id { get; init; }

    /// <summary>The project.</summary>
    public Guid ProjectId { get; init; }

    /// <summary>The dataset the cases joined (after accept) or will join.</summary>
    public Guid? DatasetId { get; init; }

    /// <summary>One of <see cref="GenerationStatus"/>.</summary>
    public string Status { get; init; } = GenerationStatus.Pending;

    /// <summary>How many unique cases were asked for.</summary>
    public int Requested { get; init; }

    /// <summary>Rounds run so far (at most <see cref="GenerationService.MaxRounds"/>).</summary>
    public int Rounds { get; init; }

    /// <summary>Unique cases so far.</summary>
    public int UniqueCases { get; init; }

    /// <summary>Cases dropped as duplicates so far.</summary>
    public int DroppedCases { get; init; }

    /// <summary>Whether a person asked to cancel.</summary>
    public bool CancelRequested { get; init; }

    /// <summary>Mean pairwise MinHash-Jaccard distance of the unique cases.</summary>
    public double? Diversity { get; init; }

    /// <summary>Distinct tags per 100 unique cases.</summary>
    public double? TagsPer100 { get; init; }

    /// <summary>How generation ended, in words (for example "50 unique cases after 2 rounds").</summary>
    public string? Outcome { get; init; }

    /// <summary>Why the run failed.</summary>
    public string? Error { get; init; }

    /// <summary>The diversity the request aimed for.</summary>
    public double DiversityTarget { get; init; }

    /// <summary>What the run aimed at beyond the goal (a coverage gap, hardening), if anything.</summary>
    public string? Focus { get; init; }
}

using Edison.Core.Datasets;

namespace Edison.Core.Generation;

/// <summary>What to generate: <see cref="Count"/> cases for <see cref="Goal"/> with the prompt's <see cref="Variables"/>.</summary>
public sealed record GenerationRequest
{
    /// <summary>The project that pays.</summary>
    public required Guid ProjectId { get; init; }

    /// <summary>The experiment the cases are for, if any.</summary>
    public Guid? ExperimentId { get; init; }

    /// <summary>The credential of the generating model.</summary>
    public required Guid CredentialId { get; init; }

    /// <summary>The generating model.</summary>
    public required string Model { get; init; }

    /// <summary>What the prompt under test must achieve.</summary>
    public required string Goal { get; init; }

    /// <summary>The template variables each case fills.</summary>
    public required IReadOnlyList<string> Variables { get; init; }

    /// <summary>How many unique cases to deliver to review.</summary>
    public required int Count { get; init; }

    /// <summary>Example cases to imitate (style, length) but not copy.</summary>
    public IReadOnlyList<CaseInput> Examples { get; init; } = [];

    /// <summary>Who writes the inputs; empty means Edison's default personas.</summary>
    public IReadOnlyList<string> Personas { get; init; } = [];

    /// <summary>Situations to cover; empty means the model derives them from the goal.</summary>
    public IReadOnlyList<string> Scenarios { get; init; } = [];

    /// <summary>Whether a share of the cases are edge cases (empty, very long, wrong language, malformed, ambiguous).</summary>
    public bool IncludeEdgeCases { get; init; } = true;

    /// <summary>Tags the cases should use where they fit (the model may add others).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Whether each case gets an expected output.</summary>
    public bool WithExpectedOutputs { get; init; }

    /// <summary>The mean pairwise distance to aim for (shown beside the measured one).</summary>
    public double DiversityTarget { get; init; } = 0.7;

    /// <summary>The dataset accepted cases join; null means a new synthetic dataset on accept.</summary>
    public Guid? DatasetId { get; init; }

    /// <summary>What this run aims at beyond the goal (a coverage gap, the failing tags and weakest criterion), in words.</summary>
    public string? Focus { get; init; }

    /// <summary>The difficulty of every case; null means a mix of easy, medium and hard.</summary>
    public string? Difficulty { get; init; }

    /// <summary>Whether a share of the cases are safety cases (prompt injection, jailbreak attempts, PII bait), tagged as such.</summary>
    public bool SafetyCases { get; init; }

    /// <summary>
    /// How many extra rounds may replace the most alike cases with new ones while the diversity is below
    /// <see cref="DiversityTarget"/> (0 turns this off).
    /// </summary>
    public int DiversityRounds { get; init; } = 2;

    /// <summary>The most the run may spend on provider calls, in USD; null means no limit beyond the rounds.</summary>
    public decimal? BudgetUsd { get; init; }

    /// <summary>The seed of the realistic values (names, emails…).</summary>
    public int Seed { get; init; } = 42;
}

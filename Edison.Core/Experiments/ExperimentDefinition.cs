using Edison.Core.Checks;
using Edison.Core.Datasets;

namespace Edison.Core.Experiments;

/// <summary>A whole experiment as configured: goal, rubric, seed prompt, cases, models, judges, refiner and stop rules.</summary>
public sealed record ExperimentDefinition
{
    /// <summary>A short name.</summary>
    public required string Name { get; init; }

    /// <summary>What the prompt must achieve.</summary>
    public required string Goal { get; init; }

    /// <summary>The weighted, anchored criteria judges score.</summary>
    public required Rubric Rubric { get; init; }

    /// <summary>The seed prompt's Liquid template.</summary>
    public required string PromptTemplate { get; init; }

    /// <summary>The seed prompt's system text.</summary>
    public string SystemText { get; init; } = "";

    /// <summary>The test cases.</summary>
    public required IReadOnlyList<CaseInput> Cases { get; init; }

    /// <summary>The models under test.</summary>
    public required IReadOnlyList<ModelConfigDraft> Models { get; init; }

    /// <summary>The LLM judges.</summary>
    public required IReadOnlyList<JudgeConfigDraft> Judges { get; init; }

    /// <summary>The refiner; without one the loop ends after the first iteration.</summary>
    public RefinerConfig Refiner { get; init; } = new();

    /// <summary>When the loop ends.</summary>
    public StopRules StopRules { get; init; } = new();

    /// <summary>How suggestions become versions.</summary>
    public string ReviewMode { get; init; } = ReviewModes.EveryIteration;

    /// <summary>How judges' scores combine per criterion.</summary>
    public string JuryAggregation { get; init; } = "mean";

    /// <summary>
    /// Whether people's ratings join the version score as one more juror. Off (the default): the score, the per-criterion means,
    /// the comparison and the stop rules use the model judges only, and human ratings are shown beside them.
    /// </summary>
    public bool HumanRatingsJoinScore { get; init; }

    /// <summary>Deterministic checks run on every output (contains, regex, JSON schema, length, latency, cost).</summary>
    public IReadOnlyList<CheckSpec> Checks { get; init; } = [];

    /// <summary>Safety flags and policy judges check.</summary>
    public SafetyConfig Safety { get; init; } = new();
}

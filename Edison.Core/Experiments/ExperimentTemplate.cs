using Edison.Core.Checks;
using Edison.Core.Datasets;

namespace Edison.Core.Experiments;

/// <summary>
/// A starting point for a new experiment, shipped as a versioned data file: goal, weighted rubric with scale labels, seed
/// prompt with variables, tagged cases and suggested deterministic checks.
/// </summary>
public sealed record ExperimentTemplate
{
    /// <summary>The stable identifier, equal to the file name without ".json".</summary>
    public required string Id { get; init; }

    /// <summary>Raised whenever the file's content changes, so experiments can say which version they started from.</summary>
    public required int Version { get; init; }

    /// <summary>The name shown when choosing a template.</summary>
    public required string Title { get; init; }

    /// <summary>One sentence on what the template is for.</summary>
    public string Summary { get; init; } = "";

    /// <summary>What the prompt must achieve.</summary>
    public required string Goal { get; init; }

    /// <summary>The weighted, labelled criteria.</summary>
    public required Rubric Rubric { get; init; }

    /// <summary>The seed prompt's system text.</summary>
    public string SystemText { get; init; } = "";

    /// <summary>The seed prompt's Liquid template.</summary>
    public required string PromptTemplate { get; init; }

    /// <summary>The tagged test cases.</summary>
    public required IReadOnlyList<CaseInput> Cases { get; init; }

    /// <summary>The deterministic checks the goal implies.</summary>
    public IReadOnlyList<CheckSpec> Checks { get; init; } = [];
}

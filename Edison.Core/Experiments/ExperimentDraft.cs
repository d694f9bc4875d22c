namespace Edison.Core.Experiments;

/// <summary>What a person fills in to create an experiment with one model and one judge on an OpenAI-compatible endpoint.</summary>
public sealed record ExperimentDraft
{
    /// <summary>A short name.</summary>
    public string Name { get; init; } = "";

    /// <summary>What the prompt must achieve.</summary>
    public string Goal { get; init; } = "";

    /// <summary>The judged criterion's name.</summary>
    public string CriterionName { get; init; } = "";

    /// <summary>What the judge checks for the criterion.</summary>
    public string CriterionDescription { get; init; } = "";

    /// <summary>The Liquid prompt template.</summary>
    public string PromptTemplate { get; init; } = "";

    /// <summary>Optional system text sent before the prompt.</summary>
    public string SystemText { get; init; } = "";

    /// <summary>Test cases as JSON lines.</summary>
    public string CasesJsonl { get; init; } = "";

    /// <summary>
    /// An existing credential of the project to run on; when set, <see cref="BaseUrl"/> and <see cref="ApiKey"/> are ignored.
    /// Only an admin may instead give a new endpoint (an editor could otherwise point Edison at any address).
    /// </summary>
    public Guid? CredentialId { get; init; }

    /// <summary>The OpenAI-compatible endpoint, e.g. https://api.openai.com/v1.</summary>
    public string BaseUrl { get; init; } = "";

    /// <summary>The API key; stored encrypted, never shown again.</summary>
    public string ApiKey { get; init; } = "";

    /// <summary>The model under test.</summary>
    public string Model { get; init; } = "";

    /// <summary>The judge's model.</summary>
    public string JudgeModel { get; init; } = "";

    /// <summary>The model that proposes prompt changes after each iteration, on the same endpoint; empty for no refinement.</summary>
    public string RefinerModel { get; init; } = "";
}

namespace Edison.Core.Experiments;

/// <summary>An experiment's configuration as shown on its page. The API key appears only as its last four characters.</summary>
public sealed record ExperimentDetails(Guid Id, Guid ProjectId, string Name, string Goal, Rubric Rubric, string PromptTemplate,
    string SystemText, int PromptVersion, string Model, string JudgeModel, string BaseUrl, string KeyLast4, int CaseCount,
    IReadOnlyList<IterationSummary> Iterations);

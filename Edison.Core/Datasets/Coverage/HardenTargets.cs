namespace Edison.Core.Datasets.Coverage;

/// <summary>
/// Where the current version is weakest in the latest iteration on a dataset: the criterion with the lowest normalised mean,
/// the tags of failing cases (most failures first) and the failing cases themselves, lowest score first.
/// </summary>
public sealed record HardenTargets(Guid IterationId, int IterationNumber, string? WeakestCriterion, double? WeakestMean,
    IReadOnlyList<string> FailingTags, IReadOnlyList<CaseInput> FailingCases);

using Edison.Core.Datasets;

namespace Edison.Core.Generation;

/// <summary>
/// What generation for a dataset starts from: its experiment's goal, the current prompt's variables, the experiment's first
/// model (credential and model), and a few of its cases as examples. Without an experiment, the variables come from the cases.
/// </summary>
public sealed record GenerationDefaults(Guid ProjectId, Guid? ExperimentId, Guid DatasetId, string DatasetName, string Goal,
    IReadOnlyList<string> Variables, Guid? CredentialId, string? Model, IReadOnlyList<CaseInput> Examples);

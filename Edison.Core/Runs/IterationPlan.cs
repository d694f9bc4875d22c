namespace Edison.Core.Runs;

/// What an iteration runs: a prompt version on a dataset version.
internal sealed record IterationPlan(Guid PromptVersionId, Guid DatasetVersionId);

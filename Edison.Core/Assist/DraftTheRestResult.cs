using Edison.Core.Experiments;

namespace Edison.Core.Assist;

/// <summary>
/// The wizard's "Draft the rest": an experiment definition drafted from the goal alone (rubric, seed prompt, 40 tagged cases,
/// two judges, the refiner, stop rules within the budget), what it cost, and the steps that failed or were skipped for the budget.
/// </summary>
public sealed record DraftTheRestResult(ExperimentDefinition? Definition, SeedPromptDraft? SeedPrompt, decimal CostUsd, IReadOnlyList<string> Problems);

namespace Edison.Core.Refining;

/// <summary>One step of a refinement as it happened: the model's answer (or the applier's output) and any error.</summary>
/// <param name="Name">diagnose, plan, edits, apply, critique, revise or apply-revised.</param>
/// <param name="Content">The JSON or text answer of the step.</param>
/// <param name="LlmCallId">The llm_calls row of the step's last call; null for a step without a model call.</param>
/// <param name="Error">Why the step failed, in words; null when it succeeded.</param>
public sealed record RefinerStep(string Name, string Content, Guid? LlmCallId, string? Error);

using System.Globalization;
using Edison.Core.Llm;
using Edison.Core.Llm.Structured;
using Microsoft.Extensions.AI;

namespace Edison.Core.Refining;

/// <summary>
/// The refiner ("final LLM"): diagnose → plan → edits → deterministic apply → critique, and at most one revise when the
/// edits do not apply or the critic objects. Each step is one structured call keyed <c>{prefix}:{step}</c>, so a re-run
/// reuses recorded answers. Model misbehaviour ends in a failed result with the steps so far; nothing is stored here.
/// </summary>
internal sealed class RefinerPipeline
{
    public const string Purpose = "refiner";

    private static readonly StructuredCall<CritiqueAnswer> CritiqueCall = StructuredCalls.RefinerCritique();

    private readonly LlmGateway _gateway;

    public RefinerPipeline(LlmGateway gateway) => _gateway = gateway;

    public async Task<RefinementResult> RunAsync(RefinerInput input, RefinerCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(call);
        var steps = new List<RefinerStep>();
        var conversation = RefinerPrompt.Diagnose(input);
        if (call.Candidates > 1)
        {
            conversation[^1] = new ChatMessage(ChatRole.User, conversation[^1].Text + string.Create(CultureInfo.InvariantCulture,
                $"\n\nYou are drafting candidate {call.Candidate} of {call.Candidates}; each candidate is tested on a few cases and the best is proposed, so try a fix the other candidates are unlikely to try."));
        }

        var diagnosis = await StepAsync(call, "diagnose", conversation, StructuredCalls.RefinerDiagnosis(input.Rubric), steps, cancellationToken);
        if (diagnosis.Value is null)
        {
            return Failed("diagnose", diagnosis.Error, steps);
        }

        Continue(conversation, diagnosis.Call.Text, RefinerPrompt.PlanRequest());
        var plan = await StepAsync(call, "plan", conversation, StructuredCalls.RefinerPlan(input.Rubric), steps, cancellationToken);
        if (plan.Value is null)
        {
            return Failed("plan", plan.Error, steps);
        }

        var editsCall = StructuredCalls.RefinerEdits(input.Source);
        Continue(conversation, plan.Call.Text, RefinerPrompt.EditsRequest(input));
        var edits = await StepAsync(call, "edits", conversation, editsCall, steps, cancellationToken);
        if (edits.Value is null)
        {
            return Failed("edits", edits.Error, steps);
        }

        var required = input.Variables.ToHashSet(StringComparer.Ordinal);
        var applied = Apply(input, edits.Value, required, "apply", steps);
        var problems = applied.Errors;
        if (applied.Succeeded)
        {
            var diff = Diff(input, applied.Result!);
            var critique = await StepAsync(call, "critique", RefinerPrompt.Critique(input, plan.Value, diff), CritiqueCall, steps, cancellationToken);
            if (critique.Value is null)
            {
                return Failed("critique", critique.Error, steps);
            }

            if (critique.Value.Ok && critique.Value.Violations.Count == 0)
            {
                return Proposal(input, edits.Value, applied.Result!, diagnosis.Value, plan.Value, steps);
            }

            problems = critique.Value.Violations.Count > 0 ? critique.Value.Violations : ["The critic found the edit not fit to test, without naming why."];
        }

        Continue(conversation, edits.Call.Text, RefinerPrompt.ReviseRequest(problems));
        var revised = await StepAsync(call, "revise", conversation, editsCall, steps, cancellationToken);
        if (revised.Value is null)
        {
            return Failed("revise", revised.Error, steps);
        }

        var reapplied = Apply(input, revised.Value, required, "apply-revised", steps);
        return reapplied.Succeeded
            ? Proposal(input, revised.Value, reapplied.Result!, diagnosis.Value, plan.Value, steps)
            : new RefinementResult(false, "The revised edits could not be applied: " + string.Join(" ", reapplied.Errors), steps, null);
    }

    private async Task<StructuredResult<T>> StepAsync<T>(RefinerCall call, string name, IList<ChatMessage> messages, StructuredCall<T> structured,
        List<RefinerStep> steps, CancellationToken cancellationToken)
        where T : class
    {
        var spec = new LlmCallSpec(call.ProjectId, call.CredentialId, call.Model, Purpose)
        {
            ExperimentId = call.ExperimentId,
            IterationId = call.IterationId,
            CallKey = $"{call.CallKeyPrefix}:{name}",
            Parameters = call.Parameters,
            SampleIndex = call.Candidate - 1,
        };
        var result = await StructuredOutput.CompleteAsync(_gateway, spec, messages, structured, new ChatOptions { Temperature = call.Candidates > 1 ? 0.7f : 0 },
            cancellationToken);
        steps.Add(new RefinerStep(name, result.Call.Text, result.Call.CallId, result.Error));
        return result;
    }

    private static EditApplication Apply(RefinerInput input, EditsAnswer answer, IReadOnlySet<string> required, string name,
        List<RefinerStep> steps)
    {
        var applied = PromptEditApplier.Apply(input.Source, answer.Edits, required, input.MaxChangeFraction);
        steps.Add(applied.Succeeded
            ? new RefinerStep(name, Diff(input, applied.Result!), null, null)
            : new RefinerStep(name, string.Join('\n', applied.Errors), null, string.Join(" ", applied.Errors)));
        return applied;
    }

    private static void Continue(List<ChatMessage> conversation, string answer, string request)
    {
        conversation.Add(new ChatMessage(ChatRole.Assistant, answer));
        conversation.Add(new ChatMessage(ChatRole.User, request));
    }

    private static RefinementResult Proposal(RefinerInput input, EditsAnswer edits, PromptFields proposed, DiagnosisAnswer diagnosis,
        PlanAnswer plan, List<RefinerStep> steps)
    {
        return new RefinementResult(true, null, steps,
            new RefinerProposal(proposed, edits.Edits, Diff(input, proposed), edits.Note, diagnosis.Hypotheses, plan.TargetCriteria));
    }

    private static RefinementResult Failed(string step, string? error, List<RefinerStep> steps) =>
        new(false, $"The refiner's {step} step failed: {error ?? "no answer"}", steps, null);

    /// Labelled v{n} → proposed: the lead stores the proposal before it has a version number of its own.
    private static string Diff(RefinerInput input, PromptFields proposed) =>
        PromptDiff.Unified(input.Source, proposed, "v" + input.SourceVersion.ToString(CultureInfo.InvariantCulture), "proposed");
}

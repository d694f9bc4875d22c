using System.Text.Json;
using Edison.Core.Experiments;
using Edison.Core.Refining;

namespace Edison.Core.Llm.Structured;

// The registry's refiner entries.
public static partial class StructuredCalls
{
    /// <summary>The refiner's diagnosis: reasoning, then at least one hypothesis naming a criterion of <paramref name="rubric"/>.</summary>
    internal static StructuredCall<DiagnosisAnswer> RefinerDiagnosis(Rubric rubric)
    {
        ArgumentNullException.ThrowIfNull(rubric);
        var hypothesis = JsonSchemas.Object(
            ("hypothesis", JsonSchemas.NonBlank("Why the prompt falls short.")),
            ("caseIds", JsonSchemas.Array(JsonSchemas.String(), "Ids of the cases that show it.")),
            ("criterion", CriterionSchema(rubric)));
        var schema = JsonSchemas.Object(
            ("reasoning", JsonSchemas.String()),
            ("hypothesis", hypothesis),
            ("moreHypotheses", JsonSchemas.Array(hypothesis.DeepClone(), "Further hypotheses; empty when none.")));
        return new StructuredCall<DiagnosisAnswer>("RefinerDiagnosis", "Reasoning, then hypotheses about why the prompt falls short.", schema, root =>
        {
            var items = new[] { root.GetProperty("hypothesis") }.Concat(root.GetProperty("moreHypotheses").EnumerateArray())
                .Select(h => new RefinerHypothesis(h.GetProperty("hypothesis").GetString()!, Strings(h, "caseIds"), h.GetProperty("criterion").GetString()!))
                .ToList();
            return (new DiagnosisAnswer(root.GetProperty("reasoning").GetString()!, items), null);
        }, RefinerAnswers.Diagnosis);
    }

    /// <summary>The refiner's plan: reasoning, at least one change, the criteria it targets.</summary>
    internal static StructuredCall<PlanAnswer> RefinerPlan(Rubric rubric)
    {
        ArgumentNullException.ThrowIfNull(rubric);
        var schema = JsonSchemas.Object(
            ("reasoning", JsonSchemas.String()),
            ("change", JsonSchemas.NonBlank("The main change to make.")),
            ("moreChanges", JsonSchemas.Array(JsonSchemas.NonBlank(), "Further changes; empty when none.")),
            ("targetCriteria", JsonSchemas.Array(CriterionSchema(rubric), "The criteria the changes target.")));
        return new StructuredCall<PlanAnswer>("RefinerPlan", "Reasoning, then the changes to make and the criteria they target.", schema,
            root => (new PlanAnswer(root.GetProperty("reasoning").GetString()!, [root.GetProperty("change").GetString()!, .. Strings(root, "moreChanges")],
                Strings(root, "targetCriteria")), null),
            RefinerAnswers.Plan);
    }

    /// <summary>The refiner's edits (and its one revision) of <paramref name="source"/>: anchors an enum of each field's lines.</summary>
    internal static StructuredCall<EditsAnswer> RefinerEdits(PromptFields source)
    {
        var schema = RefinerSchemas.EditsSchema(source);
        return new StructuredCall<EditsAnswer>("RefinerEdits", RefinerSchemas.Describe(source), schema, root =>
        {
            var edits = new[] { root.GetProperty("edit") }.Concat(root.GetProperty("moreEdits").EnumerateArray())
                .Select(e => new PromptEdit(e.GetProperty("field").GetString()!, e.GetProperty("anchor").GetString()!, e.GetProperty("operation").GetString()!,
                    e.GetProperty("text").GetString()!, e.GetProperty("fewShotIndex").ValueKind == JsonValueKind.Number ? e.GetProperty("fewShotIndex").GetInt32() : null))
                .ToList();
            return (new EditsAnswer(edits, root.GetProperty("note").GetString()!), null);
        }, RefinerAnswers.Edits);
    }

    /// <summary>The refiner's critique of its own edit.</summary>
    internal static StructuredCall<CritiqueAnswer> RefinerCritique()
    {
        var schema = JsonSchemas.Object(
            ("violations", JsonSchemas.Array(JsonSchemas.NonBlank(), "What the edit gets wrong; empty when nothing.")),
            ("ok", JsonSchemas.Boolean("True when the edit may be tested as it is.")));
        return new StructuredCall<CritiqueAnswer>("RefinerCritique", "Violations of the proposed edit, and whether it is fine as it is.", schema,
            root => (new CritiqueAnswer(Strings(root, "violations"), root.GetProperty("ok").GetBoolean()), null), RefinerAnswers.Critique);
    }
}

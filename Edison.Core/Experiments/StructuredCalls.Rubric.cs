using System.Globalization;
using System.Text.Json.Nodes;
using Edison.Core.Experiments;

namespace Edison.Core.Llm.Structured;

// Schema pieces built from a rubric, shared by the judging, assist and refiner entries.
public static partial class StructuredCalls
{
    private static JsonObject CriterionSchema(Rubric rubric) => rubric.Criteria.Count > 0
        ? JsonSchemas.Enum(rubric.Criteria.Select(c => c.Name), "A rubric criterion, by exact name.")
        : JsonSchemas.String("A rubric criterion, by exact name.");

    private static IEnumerable<int> Scale(RubricCriterion criterion) =>
        Enumerable.Range(criterion.ScaleMin, Math.Max(1, criterion.ScaleMax - criterion.ScaleMin + 1));

    private static string ScaleText(RubricCriterion criterion) => string.Join("; ", criterion.Labels.OrderBy(l => l.Key)
        .Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Key} = {l.Value}"))) is { Length: > 0 } labels
        ? labels
        : string.Create(CultureInfo.InvariantCulture, $"An integer from {criterion.ScaleMin} to {criterion.ScaleMax}.");
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Edison.Core.Experiments;
using Edison.Core.Judging;

namespace Edison.Core.Llm.Structured;

// The registry's judging entries (StructuredCalls lives in Llm/Structured; each feature keeps its entries beside it, so Llm references no feature).
public static partial class StructuredCalls
{
    /// <summary>A pointwise verdict on <paramref name="rubric"/> (also the candidate screener's): reasoning, then per criterion a rationale and a score.</summary>
    public static StructuredCall<PointwiseVerdict> PointwiseVerdict(Rubric rubric)
    {
        ArgumentNullException.ThrowIfNull(rubric);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var keys = rubric.Criteria.Select(c => (Criterion: c, Key: JsonSchemas.Key(c.Name, taken))).ToList();
        var scores = JsonSchemas.Object(keys.Select(k => KeyValuePair.Create(k.Key, (JsonNode)JsonSchemas.Object(
            [KeyValuePair.Create("rationale", (JsonNode)JsonSchemas.String("Why this score, citing the answer.")),
             KeyValuePair.Create("score", (JsonNode)JsonSchemas.IntegerEnum(Scale(k.Criterion), ScaleText(k.Criterion)))],
            $"The criterion '{k.Criterion.Name}'."))), "One entry per rubric criterion.");
        var schema = JsonSchemas.Object(
            ("reasoning", JsonSchemas.String("What the answer does well and what it misses, before any score.")),
            ("scores", scores),
            ("suggestions", JsonSchemas.Array(JsonSchemas.String(), "Concrete changes to the PROMPT that produced the answer.")),
            ("safetyFlags", JsonSchemas.Array(JsonSchemas.String(), "Safety flags that apply; empty when none.")));
        return new StructuredCall<PointwiseVerdict>("PointwiseVerdict", "A judge's reasoning, then a score per rubric criterion.", schema, root =>
        {
            var list = keys.Select(k =>
            {
                var entry = root.GetProperty("scores").GetProperty(k.Key);
                return new CriterionScore(k.Criterion.Name, entry.GetProperty("score").GetInt32(), entry.GetProperty("rationale").GetString()!);
            }).ToList();
            // The one verdict parser checks the read verdict too (every criterion once, on its scale): schema and parser cannot drift.
            var verdict = new PointwiseVerdict(root.GetProperty("reasoning").GetString()!, list, Strings(root, "suggestions"), Strings(root, "safetyFlags"));
            return VerdictParser.Parse(JsonSerializer.Serialize(verdict, Web), rubric);
        }, text => VerdictParser.Parse(text, rubric));
    }

    /// <summary>A pairwise verdict: reasoning, then A, B or tie.</summary>
    public static StructuredCall<PairwiseVerdict> PairwiseVerdict()
    {
        var schema = JsonSchemas.Object(
            ("reasoning", JsonSchemas.String("How the two answers compare on the goal and rubric.")),
            ("winner", JsonSchemas.Enum(["A", "B", "tie"], "The better answer: A, B, or tie.")));
        return new StructuredCall<PairwiseVerdict>("PairwiseVerdict", "Reasoning, then which answer is better.", schema,
            root => (new PairwiseVerdict(root.GetProperty("reasoning").GetString()!, root.GetProperty("winner").GetString()!), null),
            LegacyPairwise);
    }

    private static (PairwiseVerdict? Value, string? Error) LegacyPairwise(string text)
    {
        var (value, error) = Legacy<PairwiseVerdict>(text, _ => null);
        if (value is null)
        {
            return (null, error);
        }

        var (_, winnerError) = PairwiseWinner.Parse(value.Winner);
        return winnerError is null ? (value with { Reasoning = value.Reasoning ?? "" }, null) : (null, winnerError);
    }
}

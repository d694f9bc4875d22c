using System.Globalization;
using System.Text.Json.Nodes;
using Edison.Core.Generation;

namespace Edison.Core.Llm.Structured;

// The registry's case-generation entries.
public static partial class StructuredCalls
{
    /// <summary>
    /// <paramref name="count"/> generated cases (Generate cases, Fill gap, Harden, Draft the rest): each a named property, every
    /// template variable a required non-blank string.
    /// </summary>
    public static StructuredCall<GeneratedBatch> GeneratedCases(IReadOnlyList<string> variables, int count)
    {
        ArgumentNullException.ThrowIfNull(variables);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        count = Math.Min(count, MaxCasesPerCall);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var keys = variables.Distinct(StringComparer.Ordinal).Select(v => (Variable: v, Key: JsonSchemas.Key(v, taken))).ToList();
        // Variables of a realistic kind (a name, an email…) are left empty for Bogus to fill; every other one must be written.
        var written = keys.Select(k => k.Variable).Where(v => BogusFiller.KindOf(v) is null).ToList();
        var item = JsonSchemas.Object(
            ("variables", JsonSchemas.Object(keys.Select(k => KeyValuePair.Create(k.Key, BogusFiller.KindOf(k.Variable) is null
                ? (JsonNode)JsonSchemas.NonBlank($"The value of {{{{ {k.Variable} }}}}.")
                : JsonSchemas.String($"Leave empty: Edison fills {{{{ {k.Variable} }}}} with a realistic value."))))),
            ("expectedOutput", JsonSchemas.NullableString("What a good answer says, or null.")),
            ("tags", JsonSchemas.Array(JsonSchemas.String(), "Short lower-case tags.")),
            ("difficulty", JsonSchemas.Enum(["easy", "medium", "hard"])),
            ("persona", JsonSchemas.NullableString("Who sends the case, or null.")),
            ("scenario", JsonSchemas.NullableString("The situation, or null.")));
        var schema = JsonSchemas.Object(Numbered("case", count, _ => item.DeepClone()));
        return new StructuredCall<GeneratedBatch>("GeneratedBatch", string.Create(CultureInfo.InvariantCulture, $"{count} test cases."), schema, root =>
        {
            var cases = Enumerable.Range(1, count).Select(i => root.GetProperty(Name("case", i))).Select(c => new GeneratedCaseAnswer(
                keys.ToDictionary(k => k.Variable, k => c.GetProperty("variables").GetProperty(k.Key).GetString()!, StringComparer.Ordinal),
                NullableText(c, "expectedOutput"), Strings(c, "tags"), c.GetProperty("difficulty").GetString(), NullableText(c, "persona"),
                NullableText(c, "scenario"))).ToList();
            return (new GeneratedBatch(cases), null);
        }, text => Legacy<GeneratedBatch>(text, b => b.Cases is null ? "The answer has no \"cases\" array."
            : b.Cases.Any(c => c?.Variables is null) ? "A case has no \"variables\" object."
            : b.Cases.Select((c, i) => (Case: i + 1, Blank: written.FirstOrDefault(v => string.IsNullOrWhiteSpace(c.Variables.GetValueOrDefault(v)))))
                .FirstOrDefault(x => x.Blank is not null) is { Blank: { } blank } found
                ? string.Create(CultureInfo.InvariantCulture, $"Case {found.Case} leaves the variable '{blank}' empty; fill every variable.")
                : null));
    }
}

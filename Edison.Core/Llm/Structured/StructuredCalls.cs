using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edison.Core.Assist;
using Edison.Core.Experiments;
using Edison.Core.Generation;
using Edison.Core.Judging;
using Edison.Core.Refining;
using Microsoft.Extensions.AI;

namespace Edison.Core.Llm.Structured;

/// <summary>
/// The one registry of every place Edison asks a model for JSON. Each entry builds its schema from the request at hand (the
/// experiment's rubric, the prompt's lines, the template's variables, the count asked for) so that the schema itself carries
/// every rule the parser enforces: a score is an <c>enum</c> of its scale, each criterion a named required property, an exact
/// count N named required properties, a required text non-blank, refiner anchors an enum of the prompt's lines. A provider
/// that returns any instance of the schema therefore gives a usable answer. Nothing outside this folder builds a
/// <see cref="ChatResponseFormat"/> (an architecture test holds it). Summaries stay plain text.
/// </summary>
public static class StructuredCalls
{
    /// <summary>How many cases one generation call may be asked for: each is a named property of the schema.</summary>
    public const int MaxCasesPerCall = 50;

    internal static readonly JsonSerializerOptions SchemaJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

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

    /// <summary>AI assist Draft: exactly three distinct options.</summary>
    public static StructuredCall<AssistOptionsAnswer> AssistOptions()
    {
        var schema = JsonSchemas.Object(Numbered("option", 3, _ => JsonSchemas.NonBlank("One complete draft, different from the others.")));
        return new StructuredCall<AssistOptionsAnswer>("AssistOptionsAnswer", "Three different drafts of the field.", schema, root =>
        {
            var options = Enumerable.Range(1, 3).Select(i => root.GetProperty(Name("option", i)).GetString()!).ToList();
            return options.Distinct(StringComparer.Ordinal).Count() == 3
                ? (new AssistOptionsAnswer(options), null)
                : (null, "Two of the three options are the same; give three different drafts.");
        }, text => Legacy<AssistOptionsAnswer>(text, a => a.Options is not { Count: 3 } || a.Options.Any(string.IsNullOrWhiteSpace)
            ? "Give exactly three non-empty options." : null));
    }

    /// <summary>AI assist Improve: the improved text and at least one reason.</summary>
    public static StructuredCall<ImproveAnswer> AssistImprove()
    {
        var schema = JsonSchemas.Object(
            ("improved", JsonSchemas.NonBlank("The whole improved text.")),
            ("reason", JsonSchemas.NonBlank("The main change and why.")),
            ("moreReasons", JsonSchemas.Array(JsonSchemas.NonBlank(), "One reason per further change; empty when none.")));
        return new StructuredCall<ImproveAnswer>("ImproveAnswer", "The improved text and why.", schema,
            root => (new ImproveAnswer(root.GetProperty("improved").GetString()!, [root.GetProperty("reason").GetString()!, .. Strings(root, "moreReasons")]), null),
            text => Legacy<ImproveAnswer>(text, a => string.IsNullOrWhiteSpace(a.Improved) ? "\"improved\" is empty."
                : a.Reasons is null || a.Reasons.Count == 0 ? "Give at least one reason." : null));
    }

    /// <summary>A suggested rubric: three criteria (and up to two more), each with a weight and labels for scores 1 to 5.</summary>
    public static StructuredCall<RubricAnswer> Rubric()
    {
        var criterion = JsonSchemas.Object(
        [
            KeyValuePair.Create("name", (JsonNode)JsonSchemas.NonBlank("A short name, different from the other criteria.")),
            KeyValuePair.Create("description", (JsonNode)JsonSchemas.NonBlank("One sentence: what is observed.")),
            KeyValuePair.Create("weight", (JsonNode)JsonSchemas.IntegerEnum([1, 2, 3, 4, 5], "Relative importance, 1 (minor) to 5 (essential).")),
            .. Numbered("label", 5, i => JsonSchemas.NonBlank(string.Create(CultureInfo.InvariantCulture, $"What an answer scoring {i} looks like."))),
        ]);
        var schema = JsonSchemas.Object(
        [
            .. Numbered("criterion", 3, _ => criterion.DeepClone()),
            KeyValuePair.Create("moreCriteria", (JsonNode)JsonSchemas.Array(criterion.DeepClone(), "At most two further criteria; empty when three suffice.")),
        ]);
        return new StructuredCall<RubricAnswer>("RubricAnswer", "Weighted criteria with five anchored labels each.", schema, root =>
        {
            var items = Enumerable.Range(1, 3).Select(i => root.GetProperty(Name("criterion", i)))
                .Concat(root.GetProperty("moreCriteria").EnumerateArray().Take(2)).Select(c => new CriterionAnswer(
                    c.GetProperty("name").GetString()!.Trim(), c.GetProperty("description").GetString()!, c.GetProperty("weight").GetInt32(),
                    Enumerable.Range(1, 5).Select(i => c.GetProperty(Name("label", i)).GetString()!).ToList())).ToList();
            var duplicate = items.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
            return duplicate is null ? (new RubricAnswer(items), null) : (null, $"Two criteria are named '{duplicate.Key}'; name each differently.");
        }, text => Legacy<RubricAnswer>(text, a => a.Criteria is not { Count: > 0 } ? "The rubric has no criteria."
            : a.Criteria.FirstOrDefault(c => string.IsNullOrWhiteSpace(c.Name) || c.Labels is not { Count: 5 } || c.Weight <= 0) is { } bad
                ? $"The criterion '{bad.Name}' needs a name, a positive weight and exactly five labels (scores 1 to 5)."
                : null));
    }

    /// <summary>
    /// A seed prompt for <paramref name="rubric"/>: a technique per criterion (named required properties), and the template
    /// variables — <paramref name="variables"/> when given, else the model's. A variable the template does not use is
    /// appended to it, so the prompt always shows every input.
    /// </summary>
    public static StructuredCall<SeedPromptAnswer> SeedPrompt(Rubric rubric, IReadOnlyList<string> variables)
    {
        ArgumentNullException.ThrowIfNull(rubric);
        ArgumentNullException.ThrowIfNull(variables);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var keys = rubric.Criteria.Select(c => (Criterion: c, Key: JsonSchemas.Key(c.Name, taken))).ToList();
        var techniques = JsonSchemas.Object(keys.Select(k => KeyValuePair.Create(k.Key, (JsonNode)JsonSchemas.Object(
            [KeyValuePair.Create("technique", (JsonNode)JsonSchemas.NonBlank("The prompt technique.")),
             KeyValuePair.Create("why", (JsonNode)JsonSchemas.String("How it serves the criterion."))],
            $"The technique that serves '{k.Criterion.Name}'."))), "One technique per rubric criterion.");
        var properties = new List<KeyValuePair<string, JsonNode>>
        {
            KeyValuePair.Create("systemText", (JsonNode)JsonSchemas.String("The system message.")),
            KeyValuePair.Create("template", (JsonNode)JsonSchemas.NonBlank("The Liquid template; each variable written as {{ name }}.")),
        };
        if (variables.Count == 0)
        {
            properties.Add(KeyValuePair.Create("variable", (JsonNode)JsonSchemas.NonBlank("The main input variable, a lower_snake_case name.")));
            properties.Add(KeyValuePair.Create("moreVariables", (JsonNode)JsonSchemas.Array(JsonSchemas.NonBlank(), "Further variables; empty when none.")));
        }

        properties.Add(KeyValuePair.Create("techniques", (JsonNode)techniques));
        return new StructuredCall<SeedPromptAnswer>("SeedPromptAnswer", "A seed prompt with the technique serving each criterion.", JsonSchemas.Object(properties), root =>
        {
            var names = variables.Count > 0
                ? variables.ToList()
                : [.. new[] { root.GetProperty("variable").GetString()! }.Concat(Strings(root, "moreVariables")).Select(Identifier)
                    .Where(v => v.Length > 0).Distinct(StringComparer.Ordinal)];
            var template = root.GetProperty("template").GetString()!;
            foreach (var name in names.Where(v => !UsesVariable(template, v)))
            {
                template = template.TrimEnd() + $"\n\n{name}:\n{{{{ {name} }}}}";
            }

            var served = root.GetProperty("techniques");
            var uses = keys.Select(k => new TechniqueUse(served.GetProperty(k.Key).GetProperty("technique").GetString()!, k.Criterion.Name,
                served.GetProperty(k.Key).GetProperty("why").GetString()!)).ToList();
            return (new SeedPromptAnswer(root.GetProperty("systemText").GetString()!, template, names, uses), null);
        }, text => LegacySeed(text, rubric, variables));
    }

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

    /// <summary>
    /// The response format a prompt version itself asks its models for (the person's own schema, not Edison's): sent as it is,
    /// its answer checked by the run's checks rather than parsed here.
    /// </summary>
    public static ChatResponseFormat PromptOutput(JsonElement schema, string name, string? description) =>
        ChatResponseFormat.ForJsonSchema(schema, name, description);

    private static JsonObject CriterionSchema(Rubric rubric) => rubric.Criteria.Count > 0
        ? JsonSchemas.Enum(rubric.Criteria.Select(c => c.Name), "A rubric criterion, by exact name.")
        : JsonSchemas.String("A rubric criterion, by exact name.");

    private static IEnumerable<int> Scale(RubricCriterion criterion) =>
        Enumerable.Range(criterion.ScaleMin, Math.Max(1, criterion.ScaleMax - criterion.ScaleMin + 1));

    private static string ScaleText(RubricCriterion criterion) => string.Join("; ", criterion.Labels.OrderBy(l => l.Key)
        .Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Key} = {l.Value}"))) is { Length: > 0 } labels
        ? labels
        : string.Create(CultureInfo.InvariantCulture, $"An integer from {criterion.ScaleMin} to {criterion.ScaleMax}.");

    private static List<KeyValuePair<string, JsonNode>> Numbered(string prefix, int count, Func<int, JsonNode> schema) =>
        Enumerable.Range(1, count).Select(i => KeyValuePair.Create(Name(prefix, i), schema(i))).ToList();

    private static string Name(string prefix, int i) => prefix + i.ToString(CultureInfo.InvariantCulture);

    private static List<string> Strings(JsonElement parent, string name) =>
        parent.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToList();

    private static string? NullableText(JsonElement parent, string name) =>
        parent.GetProperty(name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static bool UsesVariable(string template, string name) =>
        template.Contains("{{ " + name + " }}", StringComparison.Ordinal) || template.Contains("{{" + name + "}}", StringComparison.Ordinal);

    private static string Identifier(string text)
    {
        var builder = new System.Text.StringBuilder();
        foreach (var c in text.Trim().ToLowerInvariant())
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        var name = string.Join('_', builder.ToString().Split('_', StringSplitOptions.RemoveEmptyEntries));
        return name.Length > 0 && char.IsAsciiDigit(name[0]) ? "v_" + name : name;
    }

    private static (T? Value, string? Error) Legacy<T>(string text, Func<T, string?> problem)
        where T : class
    {
        try
        {
            var value = JsonSerializer.Deserialize<T>(StructuredCall<T>.StripCodeFence(text), Web);
            return value is null ? (null, "The answer is empty.") : problem(value) is { } error ? (null, error) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, $"The answer is not valid JSON ({ex.Message.Split(" Path:")[0]}).");
        }
    }

    private static (SeedPromptAnswer? Value, string? Error) LegacySeed(string text, Rubric rubric, IReadOnlyList<string> variables)
    {
        var (value, error) = Legacy<SeedPromptAnswer>(text, _ => null);
        if (value is null)
        {
            return (null, error);
        }

        if (string.IsNullOrWhiteSpace(value.Template) || value.Variables is not { Count: > 0 })
        {
            return (null, "The answer needs a template and at least one variable.");
        }

        var missing = variables.Concat(value.Variables).Distinct(StringComparer.Ordinal)
            .Where(v => !value.Template.Contains("{{ " + v + " }}", StringComparison.Ordinal) && !value.Template.Contains("{{" + v + "}}", StringComparison.Ordinal))
            .ToList();
        if (missing.Count > 0)
        {
            return (null, $"The template does not use the variables: {string.Join(", ", missing)}. Write each as {{{{ name }}}}.");
        }

        var unserved = rubric.Criteria.Select(c => c.Name)
            .Where(n => value.Techniques is null || !value.Techniques.Any(t => string.Equals(t.Criterion, n, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        return unserved.Count > 0
            ? (null, $"No technique serves the criteria: {string.Join(", ", unserved)}. Name the technique that serves each.")
            : (value with { Variables = variables.Count > 0 ? variables : value.Variables }, null);
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

using System.Globalization;
using System.Text.Json.Nodes;
using Edison.Core.Assist;
using Edison.Core.Experiments;

namespace Edison.Core.Llm.Structured;

// The registry's AI assist entries.
public static partial class StructuredCalls
{
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
}

using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Edison.Core.Checks;

/// <summary>Builds a JSON Schema from text, and says in words what is wrong with it or with an instance.</summary>
internal static class SchemaText
{
    private const int MaxErrorsShown = 3;

    // Where a schema without its own $id lives, so messages name one address instead of a random one; .invalid never resolves.
    private static readonly Uri BaseUri = new("https://edison.invalid/schema.json");

    public static (JsonSchema? Schema, string? Error) Build(string? schemaJson)
    {
        if (string.IsNullOrWhiteSpace(schemaJson))
        {
            return (null, "give the schema as JSON");
        }

        try
        {
            using var document = JsonDocument.Parse(schemaJson);
            if (document.RootElement.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
            {
                return (null, "the schema must be a JSON object");
            }
        }
        catch (JsonException ex)
        {
            return (null, $"the schema is not valid JSON: {JsonErrors.Describe(ex)}");
        }

        JsonSchema schema;
        try
        {
            // A registry of its own, so two experiments' schemas with the same $id never collide in the global one.
            schema = JsonSchema.FromText(schemaJson, new BuildOptions { SchemaRegistry = new SchemaRegistry() }, BaseUri);
        }
        catch (Exception ex) when (ex is JsonException or JsonSchemaException or RefResolutionException or ArgumentException or InvalidOperationException)
        {
            return (null, $"the schema is not a valid JSON Schema: {Sentence(ex.Message)}");
        }

        // References resolve when first evaluated; one trial run surfaces a $ref to nothing (nothing is ever fetched).
        try
        {
            using var probe = JsonDocument.Parse("null");
            schema.Evaluate(probe.RootElement);
            BoundPatterns(schema.Root, []);
            return (schema, null);
        }
        catch (Exception ex) when (ex is RefResolutionException or JsonSchemaException)
        {
            return (null, $"the schema refers to something it cannot find: {Sentence(ex.Message)}");
        }
    }

    /// <summary>
    /// Null when <paramref name="instance"/> satisfies <paramref name="schema"/>, else the first few reasons it does not.
    /// Throws <see cref="RefResolutionException"/> for a $ref to nothing that the trial run in <see cref="Build"/> did not reach.
    /// </summary>
    public static string? Violations(JsonSchema schema, JsonElement instance)
    {
        var results = schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return null;
        }

        var reasons = (results.Details ?? [])
            .Prepend(results)
            .Where(r => r.Errors is { Count: > 0 })
            .SelectMany(r => r.Errors!.Values.Select(message => $"{Where(r.InstanceLocation.ToString())}: {message}"))
            .Distinct()
            .ToList();
        if (reasons.Count == 0)
        {
            return "the JSON does not match the schema";
        }

        var shown = string.Join("; ", reasons.Take(MaxErrorsShown));
        return reasons.Count > MaxErrorsShown ? $"{shown}; and {reasons.Count - MaxErrorsShown} more" : shown;
    }

    // JsonSchema.Net builds `pattern` and `patternProperties` regexes without a match timeout, so one nested repetition
    // ("^(a+)+$") on a short string would run for hours, uncancellable. Every regex in the built tree is swapped for the same
    // pattern with CheckRunner.RegexTimeout; a match that runs longer throws RegexMatchTimeoutException out of Evaluate.
    private static void BoundPatterns(JsonSchemaNode node, HashSet<JsonSchemaNode> seen)
    {
        if (!seen.Add(node))
        {
            return;
        }

        foreach (var keyword in node.Keywords ?? [])
        {
            switch (keyword.Value)
            {
                case Regex regex:
                    keyword.Value = Bounded(regex);
                    break;
                case Dictionary<string, Regex> regexes:
                    foreach (var key in regexes.Keys.ToList())
                    {
                        regexes[key] = Bounded(regexes[key]);
                    }

                    break;
                case JsonSchemaNode target:
                    BoundPatterns(target, seen);
                    break;
            }

            foreach (var subschema in keyword.Subschemas ?? [])
            {
                BoundPatterns(subschema, seen);
            }
        }
    }

    private static Regex Bounded(Regex regex) =>
        regex.MatchTimeout == CheckRunner.RegexTimeout ? regex : new Regex(regex.ToString(), regex.Options, CheckRunner.RegexTimeout);

    internal static string Sentence(string message) => message.TrimEnd('.', ' ');

    private static string Where(string pointer) => pointer is "" or "/" or "#" ? "at the top level" : $"at {pointer}";
}

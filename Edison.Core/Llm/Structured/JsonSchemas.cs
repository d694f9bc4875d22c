using System.Text.Json.Nodes;

namespace Edison.Core.Llm.Structured;

/// <summary>
/// Builds JSON schemas in the subset every provider's strict mode honours: every object lists all its properties as
/// required and forbids others, rules are carried by <c>enum</c>, named required properties and <c>pattern</c>, never by
/// <c>minimum</c>/<c>maximum</c>/<c>minItems</c>/<c>maxItems</c>/<c>minLength</c> (Anthropic's SDK moves those into the
/// description, OpenAI's strict mode rejects some of them).
/// </summary>
internal static class JsonSchemas
{
    /// <summary>The pattern of a string that holds at least one non-blank character.</summary>
    public const string NonBlankPattern = "\\S";

    /// <summary>An object whose properties, in this order, are all required, and nothing else is allowed.</summary>
    public static JsonObject Object(IEnumerable<KeyValuePair<string, JsonNode>> properties, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var props = new JsonObject();
        var required = new JsonArray();
        foreach (var (name, schema) in properties)
        {
            props[name] = schema;
            required.Add(name);
        }

        var node = new JsonObject();
        if (description is not null)
        {
            node["description"] = description;
        }

        node["type"] = "object";
        node["properties"] = props;
        node["required"] = required;
        node["additionalProperties"] = false;
        return node;
    }

    /// <summary>As <see cref="Object(IEnumerable{KeyValuePair{string, JsonNode}}, string?)"/>, from name/schema pairs.</summary>
    public static JsonObject Object(params (string Name, JsonNode Schema)[] properties) =>
        Object(properties.Select(p => KeyValuePair.Create(p.Name, p.Schema)));

    /// <summary>Any string.</summary>
    public static JsonObject String(string? description = null) => WithDescription(new JsonObject { ["type"] = "string" }, description);

    /// <summary>A string with at least one non-blank character.</summary>
    public static JsonObject NonBlank(string? description = null) =>
        WithDescription(new JsonObject { ["type"] = "string", ["pattern"] = NonBlankPattern }, description);

    /// <summary>A string or null.</summary>
    public static JsonObject NullableString(string? description = null) =>
        WithDescription(new JsonObject { ["type"] = new JsonArray("string", "null") }, description);

    /// <summary>One of the given strings.</summary>
    public static JsonObject Enum(IEnumerable<string> values, string? description = null) =>
        WithDescription(new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]) }, description);

    /// <summary>One of the given integers (a score scale: <c>enum</c> rather than minimum/maximum, which not every provider keeps).</summary>
    public static JsonObject IntegerEnum(IEnumerable<int> values, string? description = null) =>
        WithDescription(new JsonObject { ["type"] = "integer", ["enum"] = new JsonArray([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]) }, description);

    /// <summary>True or false.</summary>
    public static JsonObject Boolean(string? description = null) => WithDescription(new JsonObject { ["type"] = "boolean" }, description);

    /// <summary>A list of <paramref name="items"/> with no count rule (a count that matters is named properties instead).</summary>
    public static JsonObject Array(JsonNode items, string? description = null) =>
        WithDescription(new JsonObject { ["type"] = "array", ["items"] = items }, description);

    /// <summary>One of several object shapes.</summary>
    public static JsonObject AnyOf(IEnumerable<JsonNode> variants) => new() { ["anyOf"] = new JsonArray([.. variants]) };

    /// <summary>
    /// A property key that every provider accepts (Anthropic requires <c>^[a-zA-Z0-9_.-]{1,64}$</c>) for a display name, unique
    /// among <paramref name="taken"/>, which it joins.
    /// </summary>
    public static string Key(string name, ISet<string> taken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(taken);
        var builder = new System.Text.StringBuilder();
        foreach (var c in name.Trim())
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }

        var key = builder.ToString().Trim('_');
        key = key.Length == 0 ? "criterion" : key.Length > 56 ? key[..56] : key;
        var unique = key;
        for (var i = 2; !taken.Add(unique); i++)
        {
            unique = $"{key}_{i.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        }

        return unique;
    }

    private static JsonObject WithDescription(JsonObject node, string? description)
    {
        if (description is not null)
        {
            node["description"] = description;
        }

        return node;
    }
}

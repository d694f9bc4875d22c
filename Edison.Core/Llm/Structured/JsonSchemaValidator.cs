using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Edison.Core.Llm.Structured;

/// <summary>
/// Checks a JSON value against the schema subset <see cref="JsonSchemas"/> writes (type, enum, const, properties, required,
/// additionalProperties, items, minItems/maxItems, pattern, anyOf/oneOf): the answer a provider returns is validated against
/// the very schema it was sent, so the rules cannot drift apart. The first violation comes back in words with its JSON path.
/// </summary>
public static class JsonSchemaValidator
{
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>Null when <paramref name="value"/> is valid against <paramref name="schema"/>, else the first violation.</summary>
    public static string? Validate(JsonElement schema, JsonElement value) => Check(schema, value, "$");

    private static string? Check(JsonElement schema, JsonElement value, string path)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var keyword in (string[])["anyOf", "oneOf"])
        {
            if (schema.TryGetProperty(keyword, out var variants))
            {
                string? first = null;
                foreach (var variant in variants.EnumerateArray())
                {
                    var error = Check(variant, value, path);
                    if (error is null)
                    {
                        return null;
                    }

                    first ??= error;
                }

                return $"{path} matches none of the allowed shapes ({first})";
            }
        }

        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, value))
        {
            return $"{path} must be {constant.GetRawText()}";
        }

        if (schema.TryGetProperty("enum", out var values) && !values.EnumerateArray().Any(v => JsonElement.DeepEquals(v, value)))
        {
            return $"{path} is {Short(value)}, not one of {string.Join(", ", values.EnumerateArray().Take(12).Select(v => v.GetRawText()))}";
        }

        if (schema.TryGetProperty("type", out var type) && !TypeMatches(type, value))
        {
            return $"{path} must be {(type.ValueKind == JsonValueKind.Array ? string.Join(" or ", type.EnumerateArray().Select(t => t.GetString())) : type.GetString())}, not {Kind(value)}";
        }

        return value.ValueKind switch
        {
            JsonValueKind.Object => CheckObject(schema, value, path),
            JsonValueKind.Array => CheckArray(schema, value, path),
            JsonValueKind.String => CheckString(schema, value, path),
            _ => null,
        };
    }

    private static string? CheckObject(JsonElement schema, JsonElement value, string path)
    {
        var properties = schema.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!value.TryGetProperty(name, out _))
                {
                    return $"{path} lacks the required property \"{name}\"";
                }
            }
        }

        var closed = schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False;
        foreach (var property in value.EnumerateObject())
        {
            var childPath = $"{path}.{property.Name}";
            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                if (Check(propertySchema, property.Value, childPath) is { } error)
                {
                    return error;
                }
            }
            else if (closed)
            {
                return $"{path} has the property \"{property.Name}\", which the schema does not allow";
            }
            else if (additional.ValueKind == JsonValueKind.Object && Check(additional, property.Value, childPath) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static string? CheckArray(JsonElement schema, JsonElement value, string path)
    {
        var count = value.GetArrayLength();
        if (schema.TryGetProperty("minItems", out var min) && min.TryGetInt32(out var least) && count < least)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{path} has {count} items, fewer than {least}");
        }

        if (schema.TryGetProperty("maxItems", out var max) && max.TryGetInt32(out var most) && count > most)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{path} has {count} items, more than {most}");
        }

        if (schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                if (Check(items, item, string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]")) is { } error)
                {
                    return error;
                }

                i++;
            }
        }

        return null;
    }

    private static string? CheckString(JsonElement schema, JsonElement value, string path)
    {
        var text = value.GetString()!;
        if (schema.TryGetProperty("pattern", out var pattern) && pattern.GetString() is { } regex)
        {
            bool matches;
            try
            {
                matches = Regex.IsMatch(text, regex, RegexOptions.None, PatternTimeout);
            }
            catch (RegexMatchTimeoutException)
            {
                matches = false;
            }

            if (!matches)
            {
                return regex == JsonSchemas.NonBlankPattern ? $"{path} is blank; write some text" : $"{path} does not match the pattern {regex}";
            }
        }

        if (schema.TryGetProperty("minLength", out var min) && min.TryGetInt32(out var least) && text.Length < least)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{path} is shorter than {least} characters");
        }

        return null;
    }

    private static bool TypeMatches(JsonElement type, JsonElement value) => type.ValueKind == JsonValueKind.Array
        ? type.EnumerateArray().Any(t => TypeMatches(t.GetString(), value))
        : TypeMatches(type.GetString(), value);

    private static bool TypeMatches(string? type, JsonElement value) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) && decimal.Truncate(d) == d,
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    };

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string Short(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.Length > 60 ? raw[..60] + "…" : raw;
    }
}

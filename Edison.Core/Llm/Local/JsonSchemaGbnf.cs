using System.Globalization;
using System.Text;
using System.Text.Json;
using Edison.Core.Llm.Structured;

namespace Edison.Core.Llm.Local;

/// <summary>
/// Writes a llama.cpp GBNF grammar that accepts only JSON valid against the subset of JSON schema Edison's records
/// produce: objects, strings, integers, numbers, booleans, null, arrays, enums, const, anyOf/oneOf and local $refs.
/// Every open-ended value is bounded (<see cref="JsonSchemaGbnfLimits"/>) because an unbounded repetition lets a small
/// model loop until it runs out of tokens and the JSON never closes.
/// </summary>
internal sealed class JsonSchemaGbnf
{
    private const string StringChar = "char";
    private const string Whitespace = "ws";

    private readonly JsonElement _root;
    private readonly JsonSchemaGbnfLimits _limits;
    private readonly List<KeyValuePair<string, string>> _rules = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _refs = new(StringComparer.Ordinal);
    private bool _usesChar;

    private JsonSchemaGbnf(JsonElement root, JsonSchemaGbnfLimits limits)
    {
        _root = root;
        _limits = limits;
    }

    /// <summary>The grammar for <paramref name="schema"/>; its start rule is <c>root</c>.</summary>
    /// <exception cref="NotSupportedException">The schema uses a construct the converter cannot bound.</exception>
    public static string Convert(JsonElement schema, JsonSchemaGbnfLimits? limits = null)
    {
        var converter = new JsonSchemaGbnf(schema, limits ?? new JsonSchemaGbnfLimits());
        converter.Visit(schema, "root", "#");
        return converter.Render();
    }

    private string Render()
    {
        var builder = new StringBuilder();
        foreach (var (name, body) in _rules)
        {
            builder.Append(name).Append(" ::= ").Append(body).Append('\n');
        }

        builder.Append(Whitespace).Append(" ::= \" \"?\n");
        if (_usesChar)
        {
            builder.Append(StringChar).Append(" ::= [^\"\\\\\\x7F\\x00-\\x1F] | \"\\\\\" ([\"\\\\/bfnrt] | \"u\" [0-9a-fA-F]{4})\n");
        }

        return builder.ToString();
    }

    /// Reserves the name before visiting children so a recursive $ref resolves to the rule being written.
    private string Reserve(string name)
    {
        var unique = name;
        for (var i = 2; !_names.Add(unique); i++)
        {
            unique = $"{name}-{i.ToString(CultureInfo.InvariantCulture)}";
        }

        _rules.Add(new(unique, ""));
        return unique;
    }

    private void Define(string name, string body)
    {
        var index = _rules.FindIndex(r => r.Key == name);
        _rules[index] = new(name, body);
    }

    private string Visit(JsonElement schema, string name, string path)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw new NotSupportedException($"The schema at {path} is not an object; free-form values cannot be bounded.");
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            var pointer = reference.GetString() ?? "";
            if (_refs.TryGetValue(pointer, out var existing))
            {
                return existing;
            }

            var target = Resolve(pointer, path);
            var refName = Reserve(name);
            _refs[pointer] = refName;
            Define(refName, Body(target, refName, pointer));
            return refName;
        }

        var rule = Reserve(name);
        Define(rule, Body(schema, rule, path));
        return rule;
    }

    private string Body(JsonElement schema, string name, string path)
    {
        if (schema.TryGetProperty("const", out var constant))
        {
            return Literal(constant.GetRawText());
        }

        if (schema.TryGetProperty("enum", out var values))
        {
            return string.Join(" | ", values.EnumerateArray().Select(v => Literal(v.GetRawText())));
        }

        foreach (var keyword in (string[])["anyOf", "oneOf"])
        {
            if (schema.TryGetProperty(keyword, out var options))
            {
                return string.Join(" | ", options.EnumerateArray().Select((o, i) =>
                    Visit(o, $"{name}-{i.ToString(CultureInfo.InvariantCulture)}", $"{path}/{keyword}/{i.ToString(CultureInfo.InvariantCulture)}")));
            }
        }

        if (!schema.TryGetProperty("type", out var type))
        {
            throw new NotSupportedException($"The schema at {path} has no type, enum or const; free-form values cannot be bounded.");
        }

        if (type.ValueKind == JsonValueKind.Array)
        {
            return string.Join(" | ", type.EnumerateArray().Select(t => "(" + TypeBody(schema, t.GetString() ?? "", name, path) + ")"));
        }

        return TypeBody(schema, type.GetString() ?? "", name, path);
    }

    private string TypeBody(JsonElement schema, string type, string name, string path) => type switch
    {
        "object" => ObjectBody(schema, name, path),
        "array" => ArrayBody(schema, name, path),
        "string" => StringBody(schema),
        "integer" => IntegerBody(schema),
        "number" => NumberBody(schema),
        "boolean" => "\"true\" | \"false\"",
        "null" => "\"null\"",
        _ => throw new NotSupportedException($"The schema at {path} has type '{type}', which the grammar converter does not support."),
    };

    /// Optional properties are always written: any schema accepts them, and a fixed order keeps the grammar small.
    private string ObjectBody(JsonElement schema, string name, string path)
    {
        if (!schema.TryGetProperty("properties", out var properties) || !properties.EnumerateObject().Any())
        {
            return "\"{\" ws \"}\"";
        }

        var parts = new List<string> { "\"{\" ws" };
        var first = true;
        foreach (var property in properties.EnumerateObject())
        {
            var value = Visit(property.Value, $"{name}-{RuleName(property.Name)}", $"{path}/properties/{property.Name}");
            var key = Literal(JsonSerializer.Serialize(property.Name) + ":");
            parts.Add(first ? $"{key} ws {value} ws" : $"\",\" ws {key} ws {value} ws");
            first = false;
        }

        parts.Add("\"}\"");
        return string.Join(" ", parts);
    }

    private string ArrayBody(JsonElement schema, string name, string path)
    {
        if (!schema.TryGetProperty("items", out var items))
        {
            throw new NotSupportedException($"The array at {path} has no items schema; free-form arrays cannot be bounded.");
        }

        var item = Visit(items, $"{name}-item", $"{path}/items");
        var min = Math.Max(0, IntOrDefault(schema, "minItems", 0));
        var max = Math.Max(min, Math.Min(IntOrDefault(schema, "maxItems", int.MaxValue), _limits.MaxArrayItems));
        if (max == 0)
        {
            return "\"[\" ws \"]\"";
        }

        var more = $"(\",\" ws {item} ws){Repeat(Math.Max(min - 1, 0), max - 1)}";
        var list = $"{item} ws {more}";
        return min == 0 ? $"\"[\" ws ({list})? \"]\"" : $"\"[\" ws {list} \"]\"";
    }

    private string StringBody(JsonElement schema)
    {
        _usesChar = true;
        var min = Math.Max(0, IntOrDefault(schema, "minLength", 0));
        var max = Math.Max(min, Math.Min(IntOrDefault(schema, "maxLength", int.MaxValue), _limits.MaxStringLength));
        if (schema.TryGetProperty("pattern", out var pattern) && pattern.GetString() == JsonSchemas.NonBlankPattern)
        {
            // A non-blank string: its first character is neither a quote, a backslash, a control character nor a space.
            return $"\"\\\"\" [^\"\\\\\\x7F\\x00-\\x20] {StringChar}{Repeat(Math.Max(min - 1, 0), Math.Max(max - 1, 0))} \"\\\"\"";
        }

        return $"\"\\\"\" {StringChar}{Repeat(min, max)} \"\\\"\"";
    }

    private string IntegerBody(JsonElement schema)
    {
        var min = LongOrNull(schema, "minimum");
        var max = LongOrNull(schema, "maximum");
        if (min is { } lo && max is { } hi && hi >= lo && hi - lo < _limits.MaxEnumeratedRange)
        {
            var values = new List<string>();
            for (var v = lo; v <= hi; v++)
            {
                values.Add(Literal(v.ToString(CultureInfo.InvariantCulture)));
            }

            return string.Join(" | ", values);
        }

        return Signed(min) + Digits(min, max);
    }

    private string NumberBody(JsonElement schema)
    {
        var min = LongOrNull(schema, "minimum");
        var max = LongOrNull(schema, "maximum");
        return $"{Signed(min)}{Digits(min, max)} (\".\" [0-9]{Repeat(1, _limits.MaxFractionDigits)})?";
    }

    /// A known non-negative minimum rules out the sign outright; other bounds only shorten the digits.
    private static string Signed(long? min) => min is >= 0 ? "" : "\"-\"? ";

    private string Digits(long? min, long? max)
    {
        var digits = _limits.MaxIntegerDigits;
        if (min is { } lo && max is { } hi)
        {
            var widest = Math.Max(Math.Abs(lo), Math.Abs(hi)).ToString(CultureInfo.InvariantCulture).Length;
            digits = Math.Min(digits, widest);
        }

        return digits <= 1 ? "[0-9]" : $"(\"0\" | [1-9] [0-9]{Repeat(0, digits - 1)})";
    }

    private static string Repeat(int min, int max) =>
        string.Create(CultureInfo.InvariantCulture, $"{{{min},{max}}}");

    private JsonElement Resolve(string pointer, string path)
    {
        if (!pointer.StartsWith('#'))
        {
            throw new NotSupportedException($"The $ref '{pointer}' at {path} is not local to the schema.");
        }

        var current = _root;
        foreach (var segment in pointer[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var key = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind == JsonValueKind.Array && int.TryParse(key, CultureInfo.InvariantCulture, out var index))
            {
                current = current[index];
            }
            else if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(key, out current))
            {
                throw new NotSupportedException($"The $ref '{pointer}' at {path} does not resolve.");
            }
        }

        return current;
    }

    private static int IntOrDefault(JsonElement schema, string keyword, int fallback) =>
        schema.TryGetProperty(keyword, out var value) && value.TryGetInt32(out var number) ? number : fallback;

    private static long? LongOrNull(JsonElement schema, string keyword)
    {
        if (!schema.TryGetProperty(keyword, out var value) || value.ValueKind != JsonValueKind.Number)
        {
            return null;
        }

        return value.TryGetInt64(out var whole) ? whole : (long)Math.Round(value.GetDouble());
    }

    private static string RuleName(string propertyName)
    {
        var builder = new StringBuilder(propertyName.Length);
        foreach (var c in propertyName)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-');
        }

        return builder.Length == 0 ? "p" : builder.ToString();
    }

    /// A GBNF string literal that matches <paramref name="text"/> exactly.
    internal static string Literal(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '"': builder.Append("\\\""); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case < ' ': builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}"); break;
                default: builder.Append(c); break;
            }
        }

        return builder.Append('"').ToString();
    }
}

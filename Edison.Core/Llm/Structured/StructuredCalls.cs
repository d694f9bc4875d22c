using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
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
public static partial class StructuredCalls
{
    /// <summary>How many cases one generation call may be asked for: each is a named property of the schema.</summary>
    public const int MaxCasesPerCall = 50;

    internal static readonly JsonSerializerOptions SchemaJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The response format a prompt version itself asks its models for (the person's own schema, not Edison's): sent as it is,
    /// its answer checked by the run's checks rather than parsed here.
    /// </summary>
    public static ChatResponseFormat PromptOutput(JsonElement schema, string name, string? description) =>
        ChatResponseFormat.ForJsonSchema(schema, name, description);

    private static List<KeyValuePair<string, JsonNode>> Numbered(string prefix, int count, Func<int, JsonNode> schema) =>
        Enumerable.Range(1, count).Select(i => KeyValuePair.Create(Name(prefix, i), schema(i))).ToList();

    private static string Name(string prefix, int i) => prefix + i.ToString(CultureInfo.InvariantCulture);

    private static List<string> Strings(JsonElement parent, string name) =>
        parent.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToList();

    private static string? NullableText(JsonElement parent, string name) =>
        parent.GetProperty(name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

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

}

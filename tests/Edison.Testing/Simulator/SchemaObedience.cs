using System.Globalization;
using System.Text.Json.Nodes;

namespace Edison.Testing.Simulator;

/// <summary>
/// The simulator's schema-obedient, content-blind mode (<c>tenant.Otherwise(SchemaObedience.Answer)</c>): it answers every
/// structured request with a minimal valid instance of exactly the schema that arrived on the wire — the first enum value
/// (the first <c>anyOf</c> branch, the first type), each string a short text plus its JSON path and a running index so
/// no two strings are equal, arrays at their minimum, <c>true</c> for booleans, the minimum (else 0) for numbers — which is
/// all a strict structured-output mode guarantees. It reads the schema where each wire format carries it (OpenAI, Azure and
/// Vertex <c>response_format.json_schema</c>, Anthropic <c>output_config.format</c>, Ollama <c>format</c>, Bedrock the
/// forced tool's <c>inputSchema</c>) and answers 400, as that provider does, to keywords its strict mode rejects.
/// A request without a schema gets a plain text answer.
/// </summary>
public static class SchemaObedience
{
    // OpenAI's strict mode (and Gemini's compatible endpoint, and Azure's): keywords it refuses outright.
    private static readonly string[] OpenAIRejected =
    [
        "minLength", "maxLength", "patternProperties", "unevaluatedProperties", "propertyNames", "minProperties", "maxProperties",
        "unevaluatedItems", "contains", "minContains", "maxContains", "uniqueItems", "allOf", "oneOf", "not", "if", "then", "else",
        "dependentRequired", "dependentSchemas",
    ];

    // Anthropic's structured outputs: no numeric or string-length constraints, no item counts beyond a minimum of 0 or 1.
    private static readonly string[] AnthropicRejected =
    [
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "maxItems",
    ];

    /// <summary>The step for <paramref name="request"/>: a schema instance, a plain text, or the provider's 400.</summary>
    public static SimStep Answer(SimRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (schema, strict) = Schema(request);
        if (schema is null)
        {
            return SimStep.Reply($"A plain answer to request {Interlocked.Increment(ref _plain).ToString(CultureInfo.InvariantCulture)}.");
        }

        if (Rejection(request.Provider, schema, strict) is { } problem)
        {
            return SimStep.Status(400, body: ErrorBody(request.Provider, problem));
        }

        // Without strict mode OpenAI promises valid JSON, not the schema: the least it may send is an empty object.
        return SimStep.Reply(strict ? Instance(schema)?.ToJsonString() ?? "null" : "{}");
    }

    /// <summary>The minimal instance of <paramref name="schema"/> this mode answers with.</summary>
    public static JsonNode? Instance(JsonObject schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var counter = 0;
        return Build(schema, schema, "$", ref counter);
    }

    private static int _plain;

    private static (JsonObject? Schema, bool Strict) Schema(SimRequest request)
    {
        var body = request.Body;
        switch (request.Provider)
        {
            case SimProvider.OpenAI or SimProvider.AzureOpenAI or SimProvider.Vertex:
                var format = body["response_format"];
                return format?["type"]?.GetValue<string>() == "json_schema" && format["json_schema"]?["schema"] is JsonObject s
                    ? (s, format["json_schema"]?["strict"] is JsonValue v && v.TryGetValue<bool>(out var strict) && strict)
                    : (null, false);
            case SimProvider.Anthropic:
                var output = body["output_config"]?["format"] ?? body["output_format"];
                if (output?["schema"] is JsonObject anthropic)
                {
                    return (anthropic, true);
                }

                var forced = body["tool_choice"]?["name"]?.GetValue<string>();
                var tool = (body["tools"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(t => t["name"]?.GetValue<string>() == forced);
                return tool?["input_schema"] is JsonObject input ? (input, true) : (null, false);
            case SimProvider.Ollama:
                return body["format"] is JsonObject ollama ? (ollama, true) : (null, false);
            case SimProvider.Bedrock:
                var name = body["toolConfig"]?["toolChoice"]?["tool"]?["name"]?.GetValue<string>();
                var spec = (body["toolConfig"]?["tools"] as JsonArray)?.OfType<JsonObject>()
                    .Select(t => t["toolSpec"]).FirstOrDefault(t => t?["name"]?.GetValue<string>() == name);
                return spec?["inputSchema"]?["json"] is JsonObject bedrock ? (bedrock, true) : (null, false);
            default:
                return (null, false);
        }
    }

    private static string? Rejection(string provider, JsonObject schema, bool strict) => provider switch
    {
        SimProvider.OpenAI or SimProvider.AzureOpenAI or SimProvider.Vertex when strict => Walk(schema, "#", (node, path) =>
        {
            if (OpenAIRejected.FirstOrDefault(node.ContainsKey) is { } keyword)
            {
                return $"Invalid schema for response_format: In context={path}, '{keyword}' is not permitted.";
            }

            if (IsObject(node))
            {
                if (node["additionalProperties"] is not JsonValue closed || !closed.TryGetValue<bool>(out var allowed) || allowed)
                {
                    return $"Invalid schema for response_format: In context={path}, 'additionalProperties' is required to be supplied and to be false.";
                }

                var required = (node["required"] as JsonArray)?.Select(r => r?.GetValue<string>()).ToHashSet() ?? [];
                var missing = (node["properties"] as JsonObject)?.Select(p => p.Key).FirstOrDefault(k => !required.Contains(k));
                if (missing is not null)
                {
                    return $"Invalid schema for response_format: In context={path}, 'required' is required to be supplied and to be an array including every key in properties. Missing '{missing}'.";
                }
            }

            return null;
        }),
        SimProvider.Anthropic => Walk(schema, "#", (node, path) =>
        {
            if (AnthropicRejected.FirstOrDefault(node.ContainsKey) is { } keyword)
            {
                return $"output_format.schema: the keyword '{keyword}' at {path} is not supported.";
            }

            if (node["minItems"] is JsonValue min && min.GetValue<int>() > 1)
            {
                return $"output_format.schema: minItems above 1 at {path} is not supported.";
            }

            return IsObject(node) && node["additionalProperties"] is JsonValue open && open.TryGetValue<bool>(out var allowed) && allowed
                ? $"output_format.schema: additionalProperties must be false at {path}."
                : null;
        }),
        _ => null,
    };

    private static bool IsObject(JsonObject node) => node["type"] is JsonValue type && type.GetValue<string>() == "object" || node["properties"] is JsonObject;

    private static string? Walk(JsonObject node, string path, Func<JsonObject, string, string?> check)
    {
        if (check(node, path) is { } problem)
        {
            return problem;
        }

        foreach (var (key, child) in node)
        {
            switch (child)
            {
                case JsonObject obj when key is "properties" or "$defs" or "definitions":
                    foreach (var (name, sub) in obj)
                    {
                        if (sub is JsonObject subSchema && Walk(subSchema, $"{path}/{key}/{name}", check) is { } found)
                        {
                            return found;
                        }
                    }

                    break;
                case JsonObject obj when key is "items" or "additionalProperties":
                    if (Walk(obj, $"{path}/{key}", check) is { } inItems)
                    {
                        return inItems;
                    }

                    break;
                case JsonArray array when key is "anyOf" or "oneOf" or "allOf":
                    var i = 0;
                    foreach (var sub in array.OfType<JsonObject>())
                    {
                        if (Walk(sub, $"{path}/{key}/{i++}", check) is { } inVariant)
                        {
                            return inVariant;
                        }
                    }

                    break;
            }
        }

        return null;
    }

    private static JsonNode? Build(JsonObject root, JsonObject schema, string path, ref int counter)
    {
        if (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            var target = reference.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries)
                .Aggregate((JsonNode?)root, (node, segment) => node?[segment]) as JsonObject
                ?? throw new InvalidOperationException($"The $ref '{reference}' at {path} does not resolve.");
            return Build(root, target, path, ref counter);
        }

        if (schema["const"] is { } constant)
        {
            return constant.DeepClone();
        }

        if (schema["enum"] is JsonArray values && values.Count > 0)
        {
            return values[0]?.DeepClone();
        }

        foreach (var keyword in (string[])["anyOf", "oneOf", "allOf"])
        {
            if (schema[keyword] is JsonArray variants && variants.Count > 0 && variants[0] is JsonObject first)
            {
                return Build(root, first, path, ref counter);
            }
        }

        var type = schema["type"] switch
        {
            JsonArray types => types.Select(t => t?.GetValue<string>()).FirstOrDefault(t => t != "null") ?? "null",
            JsonValue single => single.GetValue<string>(),
            _ => schema["properties"] is not null ? "object" : "string",
        };
        switch (type)
        {
            case "object":
                var result = new JsonObject();
                var required = (schema["required"] as JsonArray)?.Select(r => r!.GetValue<string>()).ToHashSet() ?? [];
                if (schema["properties"] is JsonObject properties)
                {
                    foreach (var (name, sub) in properties)
                    {
                        if (required.Contains(name) && sub is JsonObject subSchema)
                        {
                            result[name] = Build(root, subSchema, $"{path}.{name}", ref counter);
                        }
                    }
                }

                return result;
            case "array":
                var items = new JsonArray();
                var least = schema["minItems"] is JsonValue min ? min.GetValue<int>() : 0;
                for (var i = 0; i < least; i++)
                {
                    items.Add(schema["items"] is JsonObject item ? Build(root, item, $"{path}[{i}]", ref counter) : null);
                }

                return items;
            case "string":
                counter++;
                return JsonValue.Create(string.Create(CultureInfo.InvariantCulture, $"text {counter} at {path}"));
            case "integer":
                return JsonValue.Create(schema["minimum"] is JsonValue lo ? (long)Math.Ceiling(lo.GetValue<double>()) : 0L);
            case "number":
                return JsonValue.Create(schema["minimum"] is JsonValue low ? low.GetValue<double>() : 0.0);
            case "boolean":
                return JsonValue.Create(true);
            default:
                return null;
        }
    }

    private static string ErrorBody(string provider, string message) => provider switch
    {
        SimProvider.Anthropic => new JsonObject
        {
            ["type"] = "error",
            ["error"] = new JsonObject { ["type"] = "invalid_request_error", ["message"] = message },
        }.ToJsonString(),
        SimProvider.Ollama => new JsonObject { ["error"] = message }.ToJsonString(),
        SimProvider.Bedrock => new JsonObject { ["message"] = message }.ToJsonString(),
        _ => new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = "invalid_request_error", ["param"] = "response_format", ["code"] = null },
        }.ToJsonString(),
    };
}

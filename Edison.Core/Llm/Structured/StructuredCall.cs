using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Edison.Core.Llm.Structured;

/// <summary>
/// One structured call of Edison, as <see cref="StructuredCalls"/> builds it for the request at hand: the schema sent to
/// the provider (natively: <c>json_schema</c> with <c>strict</c>, Anthropic's structured output, Ollama's <c>format</c>,
/// Bedrock's forced tool, the local model's grammar) and the parser that validates the answer against that same schema
/// before reading it into <typeparamref name="T"/>.
/// </summary>
public sealed partial class StructuredCall<T>
    where T : class
{
    /// <summary>The key of <see cref="ChatOptions.AdditionalProperties"/> that asks OpenAI-family clients for strict mode.</summary>
    public const string StrictKey = "strict";

    private readonly Func<JsonElement, (T? Value, string? Error)> _read;
    private readonly Func<string, (T? Value, string? Error)>? _legacy;

    internal StructuredCall(string name, string description, JsonObject schema, Func<JsonElement, (T? Value, string? Error)> read,
        Func<string, (T? Value, string? Error)>? legacy = null)
    {
        Name = name;
        Description = description;
        using var document = JsonDocument.Parse(schema.ToJsonString(StructuredCalls.SchemaJson));
        Schema = document.RootElement.Clone();
        Format = ChatResponseFormat.ForJsonSchema(Schema, name, description);
        _read = read;
        _legacy = legacy;
    }

    /// <summary>The schema's name as the provider sees it.</summary>
    public string Name { get; }

    /// <summary>What the answer is, in a sentence.</summary>
    public string Description { get; }

    /// <summary>The JSON schema, as sent.</summary>
    public JsonElement Schema { get; }

    /// <summary>The response format carrying <see cref="Schema"/>.</summary>
    public ChatResponseFormat Format { get; }

    /// <summary>
    /// <paramref name="options"/> (cloned) with this call's response format and strict mode: the same options go to the cache
    /// lookup and to the call, so both see the same key.
    /// </summary>
    public ChatOptions Options(ChatOptions? options)
    {
        var result = options?.Clone() ?? new ChatOptions();
        result.ResponseFormat = Format;
        result.AdditionalProperties = result.AdditionalProperties?.Clone() ?? [];
        result.AdditionalProperties[StrictKey] = true;
        return result;
    }

    /// <summary>
    /// Reads an answer: valid against <see cref="Schema"/> and then against the rules the schema cannot say (none, mostly),
    /// or an error in words naming where it breaks the schema. An answer in the shape Edison asked for before its schemas
    /// carried the rules (a recorded call reused by its key) is still read by the older parser.
    /// </summary>
    public (T? Value, string? Error) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(StripCodeFence(text));
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            var (old, oldError) = _legacy?.Invoke(text) ?? (null, null);
            return old is not null ? (old, null) : (null, oldError ?? $"The answer is not valid JSON ({ex.Message.Split(" Path:")[0]}).");
        }

        var schemaError = JsonSchemaValidator.Validate(Schema, root);
        if (schemaError is null)
        {
            return _read(root);
        }

        var (legacyValue, legacyError) = _legacy?.Invoke(text) ?? (null, null);
        if (legacyValue is not null)
        {
            return (legacyValue, null);
        }

        // An answer in the older shape breaks the schema at its root: the older parser's words then say best what to fix.
        return legacyError is not null && RootShape().IsMatch(schemaError)
            ? (null, $"{legacyError} (The schema says: {schemaError}.)")
            : (null, $"The answer does not fit the schema: {schemaError}.");
    }

    internal static string StripCodeFence(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith("```", StringComparison.Ordinal))
        {
            return trimmed;
        }

        var firstNewline = trimmed.IndexOf('\n', StringComparison.Ordinal);
        var lastFence = trimmed.LastIndexOf("```", StringComparison.Ordinal);
        return firstNewline > 0 && lastFence > firstNewline ? trimmed[(firstNewline + 1)..lastFence] : trimmed;
    }

    [GeneratedRegex(@"^\$(\.[A-Za-z0-9_.-]+)? (lacks the required property|has the property|must be )")]
    private static partial Regex RootShape();
}

using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edison.Core.Refining;

/// <summary>
/// The JSON schema of the refiner's edits, built from the prompt being edited. Each item is one of a few shapes, one per
/// field (and per few-shot example), whose <c>anchor</c> is an enum of that field's exact non-blank lines: a model held to the
/// schema by a grammar can only name anchors that exist where it says they are.
/// </summary>
public static class RefinerSchemas
{
    private const int MaxEdits = 8;

    // Insertion first: it keeps every line (and so every template variable) of the field, the safest edit to offer first.
    private static readonly string[] SchemaOperations = [PromptEdit.InsertAfter, PromptEdit.Replace, PromptEdit.InsertBefore, PromptEdit.Delete];
    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The schema of <c>{ "edit": PromptEdit, "moreEdits": [PromptEdit…], "note": "…" }</c> for edits of <paramref name="source"/>:
    /// the first edit is a required property (not an array bound, which some providers drop), so any instance has one.
    /// </summary>
    public static JsonElement Edits(PromptFields source)
    {
        using var document = JsonDocument.Parse(EditsSchema(source).ToJsonString(RelaxedJson));
        return document.RootElement.Clone();
    }

    internal static JsonObject EditsSchema(PromptFields source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var variants = new JsonArray();
        AddVariant(variants, PromptEdit.SystemField, null, source.SystemText);
        AddVariant(variants, PromptEdit.TemplateField, null, source.Template);
        for (var i = 0; i < source.FewShots.Count; i++)
        {
            AddVariant(variants, PromptEdit.FewShotInputField, i, source.FewShots[i].Input);
            AddVariant(variants, PromptEdit.FewShotOutputField, i, source.FewShots[i].Output);
        }

        // A prompt without a single non-blank line has nothing to anchor to; the applier then refuses every edit in words.
        JsonNode item = variants.Count > 0
            ? new JsonObject { ["anyOf"] = variants }
            : Edit(new JsonObject { ["type"] = "string", ["enum"] = Strings(PromptEdit.Fields) }, new JsonObject { ["type"] = "string" },
                new JsonObject { ["type"] = new JsonArray("integer", "null") });
        // Relaxed escaping (when serialized) keeps the anchors as written (a quote as \" rather than \u0022): a grammar built
        // from the enum's raw text then asks a small model for the JSON it would write anyway.
        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["edit"] = item,
                ["moreEdits"] = new JsonObject
                {
                    ["type"] = "array",
                    ["description"] = string.Create(CultureInfo.InvariantCulture, $"At most {MaxEdits - 1} further edits; empty when one suffices."),
                    ["items"] = item.DeepClone(),
                },
                ["note"] = new JsonObject { ["type"] = "string", ["description"] = "One-paragraph changelog: what changed and why." },
            },
            ["required"] = new JsonArray("edit", "moreEdits", "note"),
            ["additionalProperties"] = false,
        };
    }

    /// <summary>The distinct non-blank lines of <paramref name="text"/>, exactly as written (a trailing CR dropped), in order.</summary>
    public static IReadOnlyList<string> AnchorLines(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => !string.IsNullOrWhiteSpace(l)).Distinct(StringComparer.Ordinal).ToList();
    }

    private static void AddVariant(JsonArray variants, string field, int? fewShotIndex, string text)
    {
        var lines = AnchorLines(text);
        if (lines.Count == 0)
        {
            return;
        }

        // A one-value enum rather than const: OpenAI's strict mode and the GBNF converter both accept it.
        variants.Add(Edit(new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(JsonValue.Create(field)) },
            new JsonObject { ["type"] = "string", ["enum"] = Strings(lines) },
            fewShotIndex is { } index
                ? new JsonObject { ["type"] = "integer", ["enum"] = new JsonArray(JsonValue.Create(index)) }
                : new JsonObject { ["type"] = "null" }));
    }

    private static JsonObject Edit(JsonObject field, JsonObject anchor, JsonObject fewShotIndex) => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["field"] = field,
            ["anchor"] = anchor,
            ["operation"] = new JsonObject { ["type"] = "string", ["enum"] = Strings(SchemaOperations) },
            ["text"] = new JsonObject { ["type"] = "string" },
            ["fewShotIndex"] = fewShotIndex,
        },
        ["required"] = new JsonArray("field", "anchor", "operation", "text", "fewShotIndex"),
        ["additionalProperties"] = false,
    };

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    internal static string Describe(PromptFields source) =>
        string.Create(CultureInfo.InvariantCulture, $"Edits of a prompt with {source.FewShots.Count} few-shot examples; anchors are exact lines.");
}

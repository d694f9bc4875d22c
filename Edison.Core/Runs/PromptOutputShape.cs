using System.Text.Json;
using Edison.Core.Llm.Structured;
using Microsoft.Extensions.AI;

namespace Edison.Core.Runs;

/// Reads a prompt version's response_format and tools_schema columns into what every model under test is sent.
/// response_format is a JSON schema, or <c>{ "name", "description", "schema" }</c>; tools_schema is an array of tools, each
/// <c>{ "name", "description", "parameters" }</c> or OpenAI's <c>{ "type": "function", "function": { … } }</c>.
internal static class PromptOutputShape
{
    public static ChatResponseFormat? ResponseFormat(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return root.TryGetProperty("schema", out var schema) && schema.ValueKind == JsonValueKind.Object
            ? StructuredCalls.PromptOutput(schema.Clone(), Text(root, "name") ?? "Output", Text(root, "description"))
            : StructuredCalls.PromptOutput(root.Clone(), "Output", null);
    }

    public static IList<AITool>? Tools(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var tools = new List<AITool>();
        foreach (var element in document.RootElement.EnumerateArray())
        {
            var tool = element.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object ? function : element;
            if (Text(tool, "name") is not { } name)
            {
                continue;
            }

            var parameters = tool.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object
                ? p.Clone()
                : JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();
            tools.Add(AIFunctionFactory.CreateDeclaration(name, Text(tool, "description"), parameters));
        }

        return tools.Count == 0 ? null : tools;
    }

    /// The output as JSON text when it parses (after trimming a Markdown code fence), else null.
    public static string? ParsedJson(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith("```", StringComparison.Ordinal))
        {
            var firstLine = trimmed.IndexOf('\n', StringComparison.Ordinal);
            var lastFence = trimmed.LastIndexOf("```", StringComparison.Ordinal);
            trimmed = firstLine > 0 && lastFence > firstLine ? trimmed[(firstLine + 1)..lastFence].Trim() : trimmed;
        }

        try
        {
            using var document = JsonDocument.Parse(trimmed);
            return document.RootElement.GetRawText();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

using System.Text;
using System.Text.Json;

namespace Edison.Core.Judging;

/// What a judge is shown as a model's output: its text, then the tools it called with their arguments, so a judge can score
/// an answer that acts through tools instead of prose.
internal static class JudgedText
{
    /// toolCalls is outputs.tool_calls: a JSON array of { "name", "arguments" }, or null.
    public static string WithToolCalls(string text, string? toolCalls)
    {
        if (string.IsNullOrWhiteSpace(toolCalls))
        {
            return text;
        }

        using var document = JsonDocument.Parse(toolCalls);
        if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() == 0)
        {
            return text;
        }

        var builder = new StringBuilder(text);
        builder.Append(text.Length == 0 ? "" : "\n\n").Append("Tool calls:");
        foreach (var call in document.RootElement.EnumerateArray())
        {
            var name = call.TryGetProperty("name", out var n) ? n.ToString() : "?";
            var arguments = call.TryGetProperty("arguments", out var a) ? a.GetRawText() : "{}";
            builder.Append("\n- ").Append(name).Append('(').Append(arguments).Append(')');
        }

        return builder.ToString();
    }
}

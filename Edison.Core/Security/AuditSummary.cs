using System.Text;
using System.Text.Json;

namespace Edison.Core.Security;

/// <summary>Turns a stored before/after JSON summary into a line people read: <c>name: ci, role: viewer</c>.</summary>
public static class AuditSummary
{
    /// <summary>The summary as text; empty for none.</summary>
    public static string Describe(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return "";
        }

        using var document = JsonDocument.Parse(json);
        var builder = new StringBuilder();
        Append(builder, document.RootElement);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var first = true;
                foreach (var property in element.EnumerateObject())
                {
                    builder.Append(first ? "" : ", ").Append(property.Name).Append(": ");
                    first = false;
                    if (property.Value.ValueKind is JsonValueKind.Object)
                    {
                        builder.Append('(');
                        Append(builder, property.Value);
                        builder.Append(')');
                    }
                    else
                    {
                        Append(builder, property.Value);
                    }
                }

                break;
            case JsonValueKind.Array:
                builder.Append('[');
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    builder.Append(index++ == 0 ? "" : ", ");
                    Append(builder, item);
                }

                builder.Append(']');
                break;
            case JsonValueKind.String:
                builder.Append(element.GetString());
                break;
            default:
                builder.Append(element.GetRawText());
                break;
        }
    }
}

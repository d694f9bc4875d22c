namespace Edison.Core.Checks;

/// <summary>Unwraps output that is wholly one markdown code fence tagged <c>json</c> or untagged, as models often write.</summary>
internal static class JsonFence
{
    public static (string Json, bool WasFenced) Strip(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length < 6 || !trimmed.StartsWith("```", StringComparison.Ordinal) || !trimmed.EndsWith("```", StringComparison.Ordinal))
        {
            return (trimmed, false);
        }

        var firstNewline = trimmed.IndexOf('\n', StringComparison.Ordinal);
        if (firstNewline < 0 || firstNewline > trimmed.Length - 3)
        {
            return (trimmed, false);
        }

        var language = trimmed[3..firstNewline].Trim();
        if (language.Length > 0 && !language.Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            return (trimmed, false);
        }

        return (trimmed[(firstNewline + 1)..^3].Trim(), true);
    }
}

using System.Text;

namespace Edison.Core.Llm;

/// <summary>
/// Deterministic fixes for the ways models commonly damage a JSON answer. It only removes wrapping and obvious
/// punctuation slips; it never invents content, so a truncated or wrong answer stays invalid.
/// </summary>
internal static class JsonRepair
{
    /// <summary>Applies every repair and returns the result; the caller validates it again.</summary>
    public static string Repair(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var repaired = StripCodeFences(text);
        repaired = NormaliseSmartQuotes(repaired);
        repaired = CutToOutermostObject(repaired);
        return RemoveTrailingCommas(repaired);
    }

    /// <summary>Drops a markdown fence (```json … ```) around the answer.</summary>
    public static string StripCodeFences(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var open = trimmed.IndexOf("```", StringComparison.Ordinal);
        if (open < 0)
        {
            return trimmed;
        }

        var firstNewline = trimmed.IndexOf('\n', open);
        var close = trimmed.LastIndexOf("```", StringComparison.Ordinal);
        return firstNewline > 0 && close > firstNewline ? trimmed[(firstNewline + 1)..close].Trim() : trimmed;
    }

    /// <summary>Replaces typographic double quotes with ASCII ones, as word processors and some models emit them.</summary>
    public static string NormaliseSmartQuotes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Replace('\u201C', '"').Replace('\u201D', '"').Replace('\u201E', '"').Replace('\u201F', '"');
    }

    /// <summary>Keeps the text from the first '{' to its matching '}', dropping prose before and after.</summary>
    public static string CutToOutermostObject(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var start = text.IndexOf('{', StringComparison.Ordinal);
        if (start < 0)
        {
            return text;
        }

        var depth = 0;
        var inString = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            if (c == '"')
            {
                inString = true;
            }
            else if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && --depth == 0)
            {
                return text[start..(i + 1)];
            }
        }

        // Unbalanced: leave the object unclosed so validation still fails instead of guessing an ending.
        return text[start..];
    }

    /// <summary>Removes a comma that directly precedes '}' or ']' (outside strings).</summary>
    public static string RemoveTrailingCommas(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new StringBuilder(text.Length);
        var inString = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                result.Append(c);
                if (c == '\\' && i + 1 < text.Length)
                {
                    result.Append(text[++i]);
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            if (c == '"')
            {
                inString = true;
            }
            else if (c == ',' && NextNonWhitespace(text, i + 1) is '}' or ']')
            {
                continue;
            }

            result.Append(c);
        }

        return result.ToString();
    }

    private static char? NextNonWhitespace(string text, int from)
    {
        for (var i = from; i < text.Length; i++)
        {
            if (!char.IsWhiteSpace(text[i]))
            {
                return text[i];
            }
        }

        return null;
    }
}

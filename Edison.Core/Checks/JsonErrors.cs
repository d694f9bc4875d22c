using System.Text.Json;

namespace Edison.Core.Checks;

/// <summary>Turns System.Text.Json's parse errors into a sentence for a person.</summary>
internal static class JsonErrors
{
    // The message ends with "Path: $ | LineNumber: 0 | BytePositionInLine: 3."; zero-based and cryptic, so restate it.
    public static string Describe(JsonException exception)
    {
        var message = exception.Message;
        foreach (var tail in new[] { " Path:", " LineNumber:" })
        {
            var at = message.IndexOf(tail, StringComparison.Ordinal);
            message = at >= 0 ? message[..at] : message;
        }

        message = message.TrimEnd('.', ' ');
        return exception.LineNumber is { } line
            ? FormattableString.Invariant($"{message} (line {line + 1}, position {exception.BytePositionInLine + 1})")
            : message;
    }
}

using System.Globalization;
using System.Text;

namespace Edison.Core.Assist;

/// <summary>
/// The readable part of a JSON answer while it streams in: the decoded text of its string values (never keys, braces or
/// numbers), one value per paragraph, as far as it has arrived, an unfinished string included. Fed piece by piece, it returns
/// only what is new, so a person watches the options or the improved text being written instead of raw JSON.
/// </summary>
internal sealed class JsonTextPreview
{
    private readonly Stack<char> _containers = new();
    private readonly StringBuilder _escape = new();
    private char _lastStructural;
    private bool _inString;
    private bool _inKey;
    private bool _escaping;
    private char? _highSurrogate;
    private int _values;

    /// <summary>The new readable text that <paramref name="piece"/> adds; empty when it only adds structure.</summary>
    public string Append(string piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        var text = new StringBuilder();
        foreach (var c in piece)
        {
            if (_inString)
            {
                InString(c, text);
            }
            else
            {
                Outside(c, text);
            }
        }

        return text.ToString();
    }

    private void Outside(char c, StringBuilder text)
    {
        switch (c)
        {
            case '"':
                _inString = true;
                // A string right after "{" or after "," inside an object is a key; any other string is a value.
                _inKey = _containers.TryPeek(out var container) && container == '{' && _lastStructural is '{' or ',';
                if (!_inKey && _values++ > 0)
                {
                    text.Append("\n\n");
                }

                break;
            case '{' or '[':
                _containers.Push(c);
                _lastStructural = c;
                break;
            case '}' or ']':
                _containers.TryPop(out _);
                _lastStructural = c;
                break;
            case ',' or ':':
                _lastStructural = c;
                break;
        }
    }

    private void InString(char c, StringBuilder text)
    {
        if (_escape.Length > 0)
        {
            // Inside \uXXXX: four hex digits make one UTF-16 unit; a high surrogate waits for its low half.
            _escape.Append(c);
            if (_escape.Length < 5)
            {
                return;
            }

            var unit = int.TryParse(_escape.ToString(1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code) ? (char)code : '\uFFFD';
            _escape.Clear();
            Emit(unit, text);
            return;
        }

        if (_escaping)
        {
            _escaping = false;
            if (c == 'u')
            {
                _escape.Append(c);
                return;
            }

            Emit(c switch { 'n' => '\n', 't' => '\t', 'r' => '\r', 'b' => '\b', 'f' => '\f', _ => c }, text);
            return;
        }

        switch (c)
        {
            case '\\':
                _escaping = true;
                break;
            case '"':
                _inString = false;
                _lastStructural = '"';
                break;
            default:
                Emit(c, text);
                break;
        }
    }

    private void Emit(char c, StringBuilder text)
    {
        if (_inKey)
        {
            return;
        }

        if (char.IsHighSurrogate(c))
        {
            _highSurrogate = c;
            return;
        }

        if (_highSurrogate is { } high)
        {
            _highSurrogate = null;
            if (char.IsLowSurrogate(c))
            {
                text.Append(high);
            }
        }

        text.Append(c);
    }
}

using System.Buffers;

namespace Edison.Core.Persistence;

/// <summary>RFC 4180 field quoting and formula-safe values, shared by every CSV Edison writes and reads back.</summary>
public static class CsvField
{
    // A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a formula. Export writes such a value
    // behind an apostrophe (OWASP's advice), and an apostrophe that leads a value is doubled the same way so the rule can be
    // undone: import removes one apostrophe before one of those characters or before another apostrophe.
    private const string FormulaStarts = "=+-@\t\r'";

    // Any candidate delimiter is quoted, so a header never misleads delimiter detection.
    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",;\t|\"\r\n");

    /// <summary>Quotes a field when it needs it.</summary>
    public static string Quote(string value) =>
        value.AsSpan().IndexOfAny(NeedsQuotes) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;

    /// <summary>A value a spreadsheet will show as text, never run: <see cref="Unescape"/> reverses it.</summary>
    public static string Inert(string value) =>
        value.Length > 0 && FormulaStarts.Contains(value[0], StringComparison.Ordinal) ? "'" + value : value;

    /// <summary>Undoes <see cref="Inert"/>.</summary>
    public static string Unescape(string value) =>
        value.Length > 1 && value[0] == '\'' && FormulaStarts.Contains(value[1], StringComparison.Ordinal) ? value[1..] : value;
}

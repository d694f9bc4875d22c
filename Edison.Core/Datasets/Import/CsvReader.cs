using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Edison.Core.Persistence;

namespace Edison.Core.Datasets.Import;

/// <summary>
/// Reads CSV through CsvHelper in strict RFC 4180 mode: the delimiter (<c>,</c> <c>;</c> tab or <c>|</c>) is detected from the
/// file, fields may be quoted with <c>"</c> (a quote inside doubled), records end with CRLF or LF. A quote inside an
/// unquoted field, text after a closing quote or an unclosed quote is an error naming the line, because guessing would
/// silently shift columns.
/// </summary>
internal static class CsvReader
{
    private const string Delimiters = ",;\t|";

    public sealed record Record(int Line, IReadOnlyList<string> Fields);

    public static (List<Record> Records, string? Error) Read(string text, int maxRecords)
    {
        ArgumentNullException.ThrowIfNull(text);
        var records = new List<Record>();
        string? badData = null;
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Mode = CsvMode.RFC4180,
            Delimiter = DetectDelimiter(text),
            IgnoreBlankLines = true,
            HasHeaderRecord = false,
            BadDataFound = args => badData ??= Describe(args.Field, StartLine(args.Context.Parser!), text),
        };
        using var reader = new StringReader(text);
        using var parser = new CsvParser(reader, configuration);
        while (parser.Read())
        {
            if (badData is not null)
            {
                return (records, badData);
            }

            var fields = parser.Record ?? [];
            if (fields.Length == 1 && fields[0].Length == 0)
            {
                continue;
            }

            if (records.Count == maxRecords)
            {
                return (records, TooMany(maxRecords));
            }

            records.Add(new Record(StartLine(parser), [.. fields.Select(CsvField.Unescape)]));
        }

        if (badData is not null)
        {
            return (records, badData);
        }

        // CsvHelper ends an unclosed quoted field at the end of the file without reporting it; every other quote was well
        // placed (BadDataFound saw none), so the quote left open is the last one that opens.
        return UnclosedQuoteLine(text) is { } open
            ? (records, $"Line {open}: a quoted field is never closed (a \" is missing). Nothing was imported.")
            : (records, null);
    }

    /// <summary>
    /// The delimiter of the header line: the candidate (<c>,</c> <c>;</c> tab <c>|</c>) seen most often outside quotes, a comma
    /// on a tie or when none is seen. Only the header is looked at, since values (tags joined with <c>;</c>) hold delimiters.
    /// </summary>
    internal static string DetectDelimiter(string text)
    {
        Span<int> counts = stackalloc int[Delimiters.Length];
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '\n' or '\r')
            {
                break;
            }
            else if (!quoted && Delimiters.IndexOf(c, StringComparison.Ordinal) is var i and >= 0)
            {
                counts[i]++;
            }
        }

        var best = 0;
        for (var i = 1; i < counts.Length; i++)
        {
            if (counts[i] > counts[best])
            {
                best = i;
            }
        }

        return Delimiters[best].ToString();
    }

    private static int? UnclosedQuoteLine(string text)
    {
        var line = 1;
        int? openedOn = null;
        foreach (var c in text)
        {
            if (c == '"')
            {
                openedOn = openedOn is null ? line : null;
            }
            else if (c == '\n')
            {
                line++;
            }
        }

        return openedOn;
    }

    private static int StartLine(IParser parser)
    {
        var raw = parser.RawRecord.AsSpan().TrimEnd("\r\n");
        var breaks = raw.Count('\n');
        if (breaks == 0)
        {
            breaks = raw.Count('\r');
        }

        return Math.Max(1, parser.RawRow - breaks);
    }

    private static string Describe(string field, int line, string text)
    {
        var trimmed = field.TrimStart();
        if (!trimmed.StartsWith('"'))
        {
            return $"Line {line}: a quote inside an unquoted field; quote the whole field and double the quote (\"\"). Nothing was imported.";
        }

        return trimmed.Count(c => c == '"') % 2 != 0
            ? $"Line {UnclosedQuoteLine(text) ?? line}: a quoted field is never closed (a \" is missing). Nothing was imported."
            : $"Line {line}: text follows a closing quote; a quote inside a field must be doubled (\"\"). Nothing was imported.";
    }

    private static string TooMany(int maxRecords) =>
        $"The file has more than {(maxRecords - 1).ToString("N0", CultureInfo.InvariantCulture)} rows: the limit is {ImportLimits.MaxRowsText} rows and {ImportLimits.MaxBytes / (1024 * 1024)} MB. Split it into smaller files.";
}

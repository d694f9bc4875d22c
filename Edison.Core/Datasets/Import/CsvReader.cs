using System.Globalization;
using System.Text;

namespace Edison.Core.Datasets.Import;

/// <summary>
/// A strict RFC 4180 reader: fields separated by commas, optionally quoted with <c>"</c> (a quote inside doubled), records
/// ended by CRLF or LF. A quote inside an unquoted field, text after a closing quote or an unclosed quote is an error
/// naming the line, because guessing would silently shift columns.
/// </summary>
internal static class CsvReader
{
    public sealed record Record(int Line, IReadOnlyList<string> Fields);

    public static (List<Record> Records, string? Error) Read(string text, int maxRecords)
    {
        var records = new List<Record>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var i = 0;
        var atFieldStart = true;
        while (i < text.Length)
        {
            var c = text[i];
            if (atFieldStart && c == '"')
            {
                var quoteLine = line;
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        return (records, $"Line {quoteLine}: a quoted field is never closed (a \" is missing). Nothing was imported.");
                    }

                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    if (text[i] == '\n')
                    {
                        line++;
                    }

                    field.Append(text[i]);
                    i++;
                }

                if (i < text.Length && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                {
                    return (records, $"Line {line}: text follows a closing quote (\"…\"{text[i]}); a quote inside a field must be doubled (\"\"). Nothing was imported.");
                }

                atFieldStart = false;
                continue;
            }

            switch (c)
            {
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    atFieldStart = true;
                    i++;
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    i++;
                    break;
                case '\n' or '\r':
                    fields.Add(field.ToString());
                    field.Clear();
                    if (!(fields.Count == 1 && fields[0].Length == 0))
                    {
                        if (records.Count == maxRecords)
                        {
                            return (records, TooMany(maxRecords));
                        }

                        records.Add(new Record(recordLine, [.. fields]));
                    }

                    fields.Clear();
                    atFieldStart = true;
                    line++;
                    recordLine = line;
                    i++;
                    break;
                case '"':
                    return (records, $"Line {line}: a quote inside an unquoted field; quote the whole field and double the quote (\"\"). Nothing was imported.");
                default:
                    field.Append(c);
                    atFieldStart = false;
                    i++;
                    break;
            }
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            if (records.Count == maxRecords)
            {
                return (records, TooMany(maxRecords));
            }

            records.Add(new Record(recordLine, [.. fields]));
        }

        return (records, null);
    }

    private static string TooMany(int maxRecords) =>
        $"The file has more than {(maxRecords - 1).ToString("N0", CultureInfo.InvariantCulture)} rows: the limit is {ImportLimits.MaxRowsText} rows and {ImportLimits.MaxBytes / (1024 * 1024)} MB. Split it into smaller files.";
}

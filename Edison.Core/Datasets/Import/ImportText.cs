using System.Globalization;
using System.Text;

namespace Edison.Core.Datasets.Import;

/// Reads an upload as UTF-8 text, refusing what is too large, empty or binary before any row is parsed.
internal static class ImportText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static async Task<(string? Text, string? Error)> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek && stream.Length - stream.Position > ImportLimits.MaxBytes)
        {
            return (null, TooLarge(stream.Length - stream.Position));
        }

        // Reads at most one byte past the limit, so an unseekable upload is refused without buffering all of it.
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > ImportLimits.MaxBytes)
            {
                return (null, TooLarge(null));
            }
        }

        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        var nul = bytes.IndexOf((byte)0);
        if (nul >= 0)
        {
            return (null, $"The file is not text: it holds binary data (a NUL byte at offset {nul}). Upload a CSV, JSONL or JSON file.");
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            return (null, $"The file is not UTF-8 text (invalid bytes at offset {ex.Index}). Save it as UTF-8 and upload it again.");
        }

        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        return string.IsNullOrWhiteSpace(text) ? (null, "The file is empty: there is nothing to import.") : (text, null);
    }

    private static string TooLarge(long? bytes) =>
        $"The file is {(bytes is { } b ? $"{(b / (1024.0 * 1024.0)).ToString("0.#", CultureInfo.InvariantCulture)} MB" : "larger than the limit")}: the limit is "
        + $"{ImportLimits.MaxBytes / (1024 * 1024)} MB and {ImportLimits.MaxRowsText} rows. Split it into smaller files.";
}

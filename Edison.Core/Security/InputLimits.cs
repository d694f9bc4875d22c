using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;

namespace Edison.Core.Security;

/// <summary>
/// The one limit policy for structured input from outside (docs/security.md, "Hostile input limits"): a YAML or JSON
/// definition and a zip bundle are measured while they are read, so a bomb stops at the limit instead of in memory.
/// </summary>
public static class InputLimits
{
    /// <summary>Bytes of a YAML or JSON experiment definition body.</summary>
    public const int MaxDefinitionBytes = 4 * 1024 * 1024;

    /// <summary>Nesting of objects and arrays (YAML mappings and sequences) in a definition or a bundle table.</summary>
    public const int MaxDepth = 64;

    /// <summary>YAML nodes (scalars, mappings, sequences) in one definition.</summary>
    public const int MaxYamlNodes = 200_000;

    /// <summary>Entries a bundle zip may hold (an export writes 20).</summary>
    public const int MaxZipEntries = 64;

    /// <summary>Expanded bytes of one bundle entry, declared and actual.</summary>
    public const long MaxZipEntryBytes = 64L * 1024 * 1024;

    /// <summary>Expanded bytes of all the entries a bundle import reads, declared and actual.</summary>
    public const long MaxZipTotalBytes = 128L * 1024 * 1024;

    /// <summary>Expanded to compressed size an entry over <see cref="RatioFloorBytes"/> may declare (JSON tables compress 5–30 fold).</summary>
    public const int MaxZipRatio = 200;

    /// <summary>Entries smaller than this are not held to <see cref="MaxZipRatio"/>.</summary>
    public const long RatioFloorBytes = 1024 * 1024;

    /// <summary>Reads at most <paramref name="maxBytes"/> from <paramref name="stream"/>; more throws <see cref="InputLimitException"/>.</summary>
    public static async Task<byte[]> ReadBoundedAsync(Stream stream, long maxBytes, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new InputLimitException($"{what} is larger than the limit of {Size(maxBytes)}.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Checks a zip's directory against the entry-count, declared-size and ratio limits before anything is expanded; throws
    /// <see cref="InvalidDataException"/> with the reason.
    /// </summary>
    public static void CheckZipDirectory(ZipArchive zip)
    {
        ArgumentNullException.ThrowIfNull(zip);
        if (zip.Entries.Count > MaxZipEntries)
        {
            throw new InvalidDataException($"The zip holds {zip.Entries.Count} entries; the limit is {MaxZipEntries}.");
        }

        long total = 0;
        foreach (var entry in zip.Entries)
        {
            if (entry.Length > MaxZipEntryBytes)
            {
                throw new InvalidDataException($"The zip entry {entry.FullName} declares {Size(entry.Length)} expanded; the limit is {Size(MaxZipEntryBytes)}.");
            }

            if (entry.Length > RatioFloorBytes && entry.Length > (long)MaxZipRatio * Math.Max(1, entry.CompressedLength))
            {
                throw new InvalidDataException(
                    $"The zip entry {entry.FullName} expands {entry.Length / Math.Max(1, entry.CompressedLength)} fold; the limit is {MaxZipRatio} fold.");
            }

            total += entry.Length;
        }

        if (total > MaxZipTotalBytes)
        {
            throw new InvalidDataException($"The zip declares {Size(total)} expanded; the limit is {Size(MaxZipTotalBytes)}.");
        }
    }

    /// <summary>
    /// Expands one entry as UTF-8 text, stopping at its declared size, the per-entry limit and what is left of
    /// <paramref name="budget"/> (the bytes all entries of one import may still expand to).
    /// </summary>
    public static async Task<string> ReadZipEntryAsync(ZipArchiveEntry entry, StrongBox<long> budget, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(budget);
        var limit = Math.Min(Math.Min(entry.Length, MaxZipEntryBytes), budget.Value);
        await using var stream = await entry.OpenAsync(cancellationToken);
        byte[] bytes;
        try
        {
            bytes = await ReadBoundedAsync(stream, limit, $"The zip entry {entry.FullName}", cancellationToken);
        }
        catch (InputLimitException ex)
        {
            throw new InvalidDataException($"{ex.Message} (it declares {Size(entry.Length)}; an import may expand {Size(MaxZipTotalBytes)} in all).", ex);
        }

        budget.Value -= bytes.Length;
        // A byte-order mark (as many tools write) is not part of the text.
        var bom = Encoding.UTF8.Preamble;
        return bytes.AsSpan().StartsWith(bom) ? Encoding.UTF8.GetString(bytes.AsSpan(bom.Length)) : Encoding.UTF8.GetString(bytes);
    }

    private static string Size(long bytes) => bytes >= 1024 * 1024
        ? FormattableString.Invariant($"{bytes / (1024.0 * 1024):0.#} MB")
        : FormattableString.Invariant($"{bytes:N0} bytes");
}

/// <summary>An input passed one of the <see cref="InputLimits"/>; the message names the limit.</summary>
public sealed class InputLimitException : Exception
{
    /// <summary>An input passed a limit.</summary>
    public InputLimitException()
    {
    }

    /// <summary>An input passed a limit, as <paramref name="message"/> says.</summary>
    public InputLimitException(string message)
        : base(message)
    {
    }

    /// <summary>An input passed a limit, as <paramref name="message"/> says.</summary>
    public InputLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

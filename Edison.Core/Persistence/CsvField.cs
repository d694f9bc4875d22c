namespace Edison.Core.Persistence;

/// <summary>RFC 4180 field quoting, shared by every CSV Edison writes (dataset export, audit log export).</summary>
public static class CsvField
{
    /// <summary>Quotes a field when it needs it.</summary>
    public static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
}

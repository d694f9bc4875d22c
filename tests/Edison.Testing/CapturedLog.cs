using Microsoft.Extensions.Logging;

namespace Edison.Testing;

/// <summary>One log entry as a host wrote it: the formatted message and the exception's full text.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, string Message, string? Exception)
{
    /// <summary>Everything the entry would put into a log sink, for "never logged" assertions.</summary>
    public string FullText => Exception is null ? $"{Category}: {Message}" : $"{Category}: {Message}\n{Exception}";
}

namespace Edison.Core.Llm.Local;

/// <summary>Where the model file is now, or why it is not there, in words.</summary>
public sealed record ModelDownloadResult(string? Path, long SizeBytes, bool AlreadyPresent, string? Error)
{
    /// <summary>Whether the model is on disk with the expected checksum.</summary>
    public bool Succeeded => Path is not null;
}

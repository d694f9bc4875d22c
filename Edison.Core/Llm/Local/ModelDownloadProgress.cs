namespace Edison.Core.Llm.Local;

/// <summary>How far a model download has got; <see cref="TotalBytes"/> is null when the server did not say.</summary>
public sealed record ModelDownloadProgress(long BytesReceived, long? TotalBytes)
{
    /// <summary>The share done, 0–1, when the total is known.</summary>
    public double? Fraction => TotalBytes is > 0 ? (double)BytesReceived / TotalBytes.Value : null;
}

namespace Edison.Core.Datasets;

/// <summary>Why one line of pasted cases could not be read, by line number (1-based).</summary>
public sealed record CaseParseError(int Line, string Message);

namespace Edison.Core.Datasets.Import;

/// <summary>One valid row: the case, and its split when the file names one.</summary>
public sealed record ImportedRow(int Row, CaseInput Case, string? Split);

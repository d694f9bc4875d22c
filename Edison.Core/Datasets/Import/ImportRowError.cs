namespace Edison.Core.Datasets.Import;

/// <summary>
/// Why one row was skipped: <see cref="Row"/> is the 1-based data row (the CSV header is not counted), <see cref="Line"/>
/// the line of the file it starts on, <see cref="Column"/> the column (or JSON field) at fault when there is one.
/// </summary>
public sealed record ImportRowError(int Row, int Line, string? Column, string Message);

namespace Edison.Core.Datasets.Import;

/// <summary>The file formats cases can be imported from and exported to.</summary>
public enum ImportFormat
{
    /// <summary>Comma-separated values with a header row (RFC 4180 quoting), read through a <see cref="ColumnMapping"/>.</summary>
    Csv,

    /// <summary>One JSON object per line: the variables, or <c>{"input": {…}, "expected", "tags", "difficulty", "split"}</c>.</summary>
    JsonLines,

    /// <summary>One JSON array of the same objects as <see cref="JsonLines"/>.</summary>
    JsonArray,
}

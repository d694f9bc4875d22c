namespace Edison.Core.Llm.Local;

/// <summary>
/// Bounds applied where a JSON schema leaves a value open-ended, so a grammar-constrained generation always terminates.
/// </summary>
internal sealed record JsonSchemaGbnfLimits
{
    /// <summary>Characters in a string with no smaller <c>maxLength</c>.</summary>
    public int MaxStringLength { get; init; } = 200;

    /// <summary>Items in an array with no smaller <c>maxItems</c>.</summary>
    public int MaxArrayItems { get; init; } = 8;

    /// <summary>Digits of an integer (or of a number's integer part) with no smaller bound.</summary>
    public int MaxIntegerDigits { get; init; } = 9;

    /// <summary>Digits after a number's decimal point.</summary>
    public int MaxFractionDigits { get; init; } = 6;

    /// <summary>An integer range this small is written as its exact values, so minimum and maximum hold.</summary>
    public int MaxEnumeratedRange { get; init; } = 100;
}

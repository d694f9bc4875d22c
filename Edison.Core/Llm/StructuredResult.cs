namespace Edison.Core.Llm;

/// <summary>
/// The outcome of a structured call: the validated value, or the last validation or provider error. Never thrown.
/// </summary>
/// <param name="Value">The validated value; null when the call failed.</param>
/// <param name="Error">Why no value could be read, in words; null on success.</param>
/// <param name="Call">The last gateway call made (the repair retry when there was one).</param>
/// <param name="Repaired">True when the accepted answer needed a deterministic repair.</param>
/// <param name="Retried">True when a second call with the parse error fed back was made.</param>
public sealed record StructuredResult<T>(T? Value, string? Error, LlmResult Call, bool Repaired, bool Retried)
    where T : class
{
    /// <summary>True when a valid value was read.</summary>
    public bool Succeeded => Value is not null;
}

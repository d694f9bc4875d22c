namespace Edison.Core.Regression;

/// <summary>
/// The outcome of saving a schedule: errors by form field (empty when saved), and the webhook secret when a new one was made,
/// which is shown this once and stored only encrypted.
/// </summary>
public sealed record ScheduleSaveResult(IReadOnlyDictionary<string, string> Errors, string? NewSecret)
{
    /// <summary>Whether the schedule was saved.</summary>
    public bool Saved => Errors.Count == 0;
}

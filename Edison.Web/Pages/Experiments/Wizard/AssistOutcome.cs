namespace Edison.Web.Pages.Experiments.Wizard;

/// What an assist run produced, kept briefly for the partial that shows it.
public sealed record AssistOutcome(string Kind, string FieldPath)
{
    public IReadOnlyList<string> Options { get; init; } = [];

    /// The field's full text after Complete, or the improved text after Improve.
    public string? Text { get; init; }

    public string UnifiedDiff { get; init; } = "";

    public IReadOnlyList<string> Reasons { get; init; } = [];

    public IReadOnlyList<string> Problems { get; init; } = [];

    public decimal? CostUsd { get; init; }

    public string? Error { get; init; }
}

namespace Edison.Core.Refining;

/// <summary>The outcome of applying an edit set: the edited fields, or every reason the set was refused, in words.</summary>
public sealed record EditApplication(PromptFields? Result, IReadOnlyList<string> Errors)
{
    /// <summary>True when the edits applied and passed every check.</summary>
    public bool Succeeded => Result is not null && Errors.Count == 0;
}

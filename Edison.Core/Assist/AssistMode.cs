namespace Edison.Core.Assist;

/// <summary>What assist does with a field.</summary>
public enum AssistMode
{
    /// <summary>Writes options from scratch (three when not streamed).</summary>
    Draft,

    /// <summary>Finishes what the person started, continuing their text.</summary>
    Complete,

    /// <summary>Rewrites the text; returned as a diff with reasons.</summary>
    Improve,
}

namespace Edison.Core.Experiments;

/// <summary>The refiner ("final LLM") that merges the judges' advice into a new prompt version.</summary>
public sealed record RefinerConfig
{
    /// <summary>The credential the refiner calls through; none means the loop stops after one iteration.</summary>
    public Guid? CredentialId { get; init; }

    /// <summary>The refiner's model.</summary>
    public string? Model { get; init; }

    /// <summary>The largest change a suggestion may make, as a fraction of the prompt's length.</summary>
    public double MaxChangeFraction { get; init; } = 0.5;

    /// <summary>
    /// How many drafts the refiner writes per attempt (1–5); with more than one, each is screened on a few train cases and
    /// the best is proposed.
    /// </summary>
    public int Candidates { get; init; } = 1;
}

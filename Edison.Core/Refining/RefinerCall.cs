namespace Edison.Core.Refining;

/// <summary>
/// Who pays for the refiner's calls and under which keys: each step's call key is <c>{CallKeyPrefix}:{step}</c>, so a
/// re-run with the same prefix reuses the recorded answers.
/// </summary>
public sealed record RefinerCall(Guid ProjectId, Guid CredentialId, string Model, Guid ExperimentId, Guid IterationId, string CallKeyPrefix)
{
    /// <summary>The model config's parameters JSON (see <see cref="Llm.LlmCallSpec.Parameters"/>), if any.</summary>
    public string? Parameters { get; init; }

    /// <summary>Which of <see cref="Candidates"/> drafts this is (1-based); drafts are cached apart and told to differ.</summary>
    public int Candidate { get; init; } = 1;

    /// <summary>How many drafts the refiner is asked for in this attempt.</summary>
    public int Candidates { get; init; } = 1;
}

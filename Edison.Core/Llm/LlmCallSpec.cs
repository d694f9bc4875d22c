namespace Edison.Core.Llm;

/// <summary>
/// Who pays for a call and why. <see cref="CallKey"/> identifies a call of the loop deterministically (iteration,
/// run, case, sample, purpose…) so that a re-run reuses a recorded success instead of paying again.
/// </summary>
public sealed record LlmCallSpec(Guid ProjectId, Guid CredentialId, string Model, string Purpose)
{
    /// <summary>The experiment the call serves, if any.</summary>
    public Guid? ExperimentId { get; init; }

    /// <summary>The iteration the call serves, if any.</summary>
    public Guid? IterationId { get; init; }

    /// <summary>Deterministic key of a loop call; null for ad-hoc calls (assist, test connection).</summary>
    public string? CallKey { get; init; }

    /// <summary>
    /// The model config's <c>parameters</c> JSON (temperature, maxOutputTokens, reasoningEffort, thinkingBudgetTokens);
    /// see <see cref="ModelSettings.Parse"/>. Kept as text so the spec stays a plain row of values.
    /// </summary>
    public string? Parameters { get; init; }

    /// <summary>Which sample of the same prompt this is: samples are cached apart, so n samples make n provider calls.</summary>
    public int SampleIndex { get; init; }

    /// <summary>Skips the response-cache lookup (a fresh answer is still stored for later calls).</summary>
    public bool BypassCache { get; init; }
}

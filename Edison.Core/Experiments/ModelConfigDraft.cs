namespace Edison.Core.Experiments;

/// <summary>A model under test: which credential and model, its parameters, seed and how many samples per case.</summary>
public sealed record ModelConfigDraft(Guid CredentialId, string Model)
{
    /// <summary>The name shown on pages; the model name when empty.</summary>
    public string DisplayName { get; init; } = "";

    /// <summary>Provider parameters as a JSON object (temperature, max_tokens, …).</summary>
    public string ParametersJson { get; init; } = "{}";

    /// <summary>The seed sent to providers that honour one; sample n uses seed + n.</summary>
    public int? Seed { get; init; }

    /// <summary>How many outputs per case (1–20).</summary>
    public int SamplesPerCase { get; init; } = 1;
}

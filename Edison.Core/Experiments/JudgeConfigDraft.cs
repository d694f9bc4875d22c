namespace Edison.Core.Experiments;

/// <summary>An LLM judge: kind, credential, model and an optional system prompt of its own.</summary>
public sealed record JudgeConfigDraft(string Kind, Guid CredentialId, string Model)
{
    /// <summary>Extra instructions appended to Edison's judge prompt.</summary>
    public string SystemPrompt { get; init; } = "";

    /// <summary>Whether the judge writes its reasoning before the scores (on by default: it raises agreement).</summary>
    public bool Reasoning { get; init; } = true;
}

namespace Edison.Core.Assist;

/// <summary>Who pays for assist calls and which model answers them.</summary>
public sealed record AssistTarget(Guid ProjectId, Guid CredentialId, string Model)
{
    /// <summary>The experiment being authored, if it exists yet.</summary>
    public Guid? ExperimentId { get; init; }
}

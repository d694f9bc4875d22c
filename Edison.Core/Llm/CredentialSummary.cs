namespace Edison.Core.Llm;

/// <summary>What may be shown (times in UTC) about a provider credential: everything but the key, of which only the last four characters.</summary>
public sealed record CredentialSummary(
    Guid Id,
    Guid ProjectId,
    string Name,
    string Provider,
    string? BaseUrl,
    string KeyLast4,
    bool IsDisabled,
    DateTime CreatedAt,
    DateTime? RotatedAt,
    DateTime? LastTestedAt,
    string? LastTestError);

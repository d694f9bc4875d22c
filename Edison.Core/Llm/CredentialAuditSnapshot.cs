namespace Edison.Core.Llm;

/// The before/after of a credential in audit_log: what a person may see, so the log can never hold a key.
internal sealed record CredentialAuditSnapshot(string Name, string Provider, string? BaseUrl, string KeyLast4, bool IsDisabled, DateTime? RotatedAt);

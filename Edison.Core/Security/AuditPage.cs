namespace Edison.Core.Security;

/// <summary>One page of audit rows, newest first, and whether an older page follows.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, int Page, int PageSize, bool HasMore);

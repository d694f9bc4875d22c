namespace Edison.Core.Security;

/// <summary>One row of the audit log as people read it; <see cref="Before"/> and <see cref="After"/> are the stored JSON summaries.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string? User, string Action, string EntityType, Guid? EntityId, string? Before,
    string? After, string? RequestId);

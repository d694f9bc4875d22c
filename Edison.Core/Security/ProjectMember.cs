namespace Edison.Core.Security;

/// <summary>One member of a project, for the members page.</summary>
public sealed record ProjectMember(Guid UserId, string Email, string DisplayName, ProjectRole Role, DateTimeOffset JoinedAt);

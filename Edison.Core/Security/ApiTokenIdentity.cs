namespace Edison.Core.Security;

/// <summary>Who an API token acts for: its user, in its one project, with at most its role.</summary>
public sealed record ApiTokenIdentity(Guid TokenId, Guid UserId, Guid ProjectId, ProjectRole Role);

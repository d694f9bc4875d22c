namespace Edison.Core.Security;

/// <summary>Who is acting: a signed-in user, or an API token acting for its user with at most the token's role.</summary>
/// <param name="UserId">The user the action is recorded against.</param>
/// <param name="RoleCap">A ceiling on the user's role (an API token's role); null for a signed-in person.</param>
/// <param name="RequestId">The request's trace id, for the audit log.</param>
public sealed record Actor(Guid UserId, ProjectRole? RoleCap = null, string? RequestId = null);

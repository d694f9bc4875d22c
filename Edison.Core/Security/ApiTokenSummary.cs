namespace Edison.Core.Security;

/// <summary>An API token as the tokens page lists it: never its value, which is stored only as a hash.</summary>
public sealed record ApiTokenSummary(Guid Id, Guid UserId, string UserEmail, string Name, ProjectRole Role, DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

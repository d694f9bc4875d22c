namespace Edison.Core.Accounts;

/// <summary>A new invitation and its token; the token is shown once and only its hash is stored.</summary>
public sealed record CreatedInvitation(Guid Id, string Token, DateTimeOffset ExpiresAt);

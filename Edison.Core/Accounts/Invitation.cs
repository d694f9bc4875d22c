using Edison.Core.Security;

namespace Edison.Core.Accounts;

/// <summary>An invitation as its link shows it.</summary>
public sealed record Invitation(Guid Id, Guid ProjectId, string ProjectName, string Email, ProjectRole Role, DateTimeOffset ExpiresAt,
    bool IsUsed)
{
    /// <summary>Whether the link may still be used at <paramref name="now"/>.</summary>
    public bool IsValidAt(DateTimeOffset now) => !IsUsed && ExpiresAt > now;
}

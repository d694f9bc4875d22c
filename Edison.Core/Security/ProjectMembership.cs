namespace Edison.Core.Security;

/// <summary>A project a user belongs to and the user's role in it.</summary>
public sealed record ProjectMembership(Guid ProjectId, string Name, ProjectRole Role);

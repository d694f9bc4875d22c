namespace Edison.Core.Security;

/// <summary>The text a role is stored as in <c>project_members.role</c>, <c>invitations.role</c> and <c>api_tokens.role</c>.</summary>
public static class ProjectRoles
{
    /// <summary>The stored text of a role.</summary>
    public static string ToText(this ProjectRole role) => role switch
    {
        ProjectRole.Viewer => "viewer",
        ProjectRole.Reviewer => "reviewer",
        ProjectRole.Editor => "editor",
        ProjectRole.Admin => "admin",
        ProjectRole.Owner => "owner",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Not a project role."),
    };

    /// <summary>Reads a stored role; null for anything else.</summary>
    public static ProjectRole? Parse(string? text) => text switch
    {
        "viewer" => ProjectRole.Viewer,
        "reviewer" => ProjectRole.Reviewer,
        "editor" => ProjectRole.Editor,
        "admin" => ProjectRole.Admin,
        "owner" => ProjectRole.Owner,
        _ => null,
    };
}

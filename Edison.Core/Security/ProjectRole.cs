namespace Edison.Core.Security;

/// <summary>A member's role in a project; each role can do everything the roles below it can.</summary>
public enum ProjectRole
{
    /// <summary>Reads everything in the project.</summary>
    Viewer = 1,

    /// <summary>Also reviews suggestions and rates outputs.</summary>
    Reviewer = 2,

    /// <summary>Also creates and runs experiments and datasets.</summary>
    Editor = 3,

    /// <summary>Also manages credentials, prices and members.</summary>
    Admin = 4,

    /// <summary>Also deletes the project and transfers ownership.</summary>
    Owner = 5,
}

namespace Edison.Core.Security;

/// <summary>The actor lacks the role an action needs in a project, or the resource is not in a project the actor belongs to.</summary>
public sealed class ProjectAccessDeniedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ProjectAccessDeniedException()
        : this("Access to the project was denied.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ProjectAccessDeniedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public ProjectAccessDeniedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Whether the actor is not a member at all, so the resource must look absent (404) rather than forbidden (403).</summary>
    public bool NotAMember { get; init; }
}

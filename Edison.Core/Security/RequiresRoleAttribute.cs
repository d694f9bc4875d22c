namespace Edison.Core.Security;

/// <summary>
/// The least project role a Core method that acts for someone needs. The method checks it itself through
/// <see cref="ProjectAccess"/>; the attribute states it where a test (and a reader) can find it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class RequiresRoleAttribute(ProjectRole role) : Attribute
{
    /// <summary>The least role the caller must hold in the resource's project.</summary>
    public ProjectRole Role { get; } = role;
}

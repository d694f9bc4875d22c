using Edison.Core.Security;

namespace Edison.Web.Infrastructure.Authorization;

/// <summary>
/// The least project role a page, handler or endpoint needs. Every page model and endpoint carries one (a test enumerates
/// them); on a page model it applies to GET, and a named handler that changes data carries its own.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class RequireProjectRoleAttribute(ProjectRole role) : Attribute
{
    /// <summary>The least role needed.</summary>
    public ProjectRole Role { get; } = role;
}

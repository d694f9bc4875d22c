namespace Edison.Core.Security;

/// <summary>
/// Marks a Core method that acts for someone but is about the whole instance, not a project: only the instance owner,
/// signed in (not through an API token), may call it. The method checks it itself; the attribute states it for tests and readers.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class RequiresInstanceOwnerAttribute : Attribute;

namespace Edison.Core.Security;

/// <summary>
/// Marks a public Core method (or every method of a class) that changes data but acts for nobody in a project, so it takes
/// no <see cref="Actor"/>: the Worker's jobs, first-run setup, Identity's own store. The reason says who is trusted instead.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, Inherited = false)]
public sealed class SystemOperationAttribute(string reason) : Attribute
{
    /// <summary>Why no project role is checked here.</summary>
    public string Reason { get; } = reason;
}

namespace Edison.Web.Infrastructure.Authorization;

/// An endpoint whose route names something that is not a database row (so RouteResources cannot resolve it to a project), and
/// that compares the thing's own user and project with the caller's itself. The authorization matrix accepts an unmapped id
/// route parameter only on an endpoint that names it here, with the reason.
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class ResolvesOwnResourceAttribute(string parameter, string reason) : Attribute
{
    public string Parameter { get; } = parameter;

    public string Reason { get; } = reason;
}

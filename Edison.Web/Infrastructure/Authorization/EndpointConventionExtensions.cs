using Edison.Core.Security;

namespace Edison.Web.Infrastructure.Authorization;

internal static class EndpointConventionExtensions
{
    /// Declares the least project role a minimal-API or SSE endpoint needs; the project comes from its route values.
    public static TBuilder RequireProjectRole<TBuilder>(this TBuilder builder, ProjectRole role)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequireProjectRoleAttribute(role));
}

namespace Edison.Web.Infrastructure.Authorization;

/// Endpoints mapped by libraries (health checks, the htmx antiforgery script) that anyone may call.
internal static class PublicPaths
{
    private static readonly PathString[] Paths = ["/health", "/alive", "/_htmx/antiforgery.js"];

    public static bool IsPublic(PathString path) => Paths.Any(p => path.StartsWithSegments(p));
}

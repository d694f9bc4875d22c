using Edison.Core.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Edison.Web.Infrastructure.Authorization;

namespace Edison.Web.Api;

/// Serves the API reference page and its script from embedded files: no CDN, and only the app's own script under the CSP.
internal static class ApiReference
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/reference", () => Embedded("reference.html", "text/html; charset=utf-8"))
            .WithName("ApiReference").ExcludeFromDescription().WithMetadata(new RequireProjectRoleAttribute(ProjectRole.Viewer));
        endpoints.MapGet("/api/v1/reference.js", () => Embedded("reference.js", "text/javascript; charset=utf-8"))
            .WithName("ApiReferenceScript").ExcludeFromDescription().WithMetadata(new RequireProjectRoleAttribute(ProjectRole.Viewer));
    }

    private static FileStreamHttpResult Embedded(string name, string contentType)
    {
        var assembly = typeof(ApiReference).Assembly;
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith("Api.Reference." + name, StringComparison.Ordinal));
        return TypedResults.Stream(assembly.GetManifestResourceStream(resource)!, contentType);
    }
}

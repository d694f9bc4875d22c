using System.Reflection;
using System.Runtime.Loader;

namespace Edison.EndToEndTests.Pages;

/// <summary>A Razor page compiled into Edison.Web: its file (<c>/Pages/Iterations/Details.cshtml</c>) and route template.</summary>
internal sealed record WebPageRoute(string Identifier, string? RouteTemplate)
{
    /// <summary>The page's path without a template: <c>/Iterations/Details</c>, <c>/Index</c> → <c>/</c>.</summary>
    public string ViewEnginePath => Identifier["/Pages".Length..^".cshtml".Length];

    /// <summary>The folder a bare <c>{id}</c> parameter takes its resource kind from (as the app's RouteResources does).</summary>
    public string? Folder => ViewEnginePath.Split('/', StringSplitOptions.RemoveEmptyEntries) is [var first, _, ..] ? first : null;

    /// <summary>The route as the app maps it: an absolute template replaces the path, a relative one is appended to it.</summary>
    public string Template
    {
        get
        {
            var basePath = ViewEnginePath.EndsWith("/Index", StringComparison.Ordinal) ? ViewEnginePath[..^"/Index".Length] : ViewEnginePath;
            return RouteTemplate switch
            {
                null or "" => basePath.Length == 0 ? "/" : basePath,
                var t when t.StartsWith('/') || t.StartsWith('~') => "/" + t.TrimStart('~', '/'),
                var t => $"{basePath}/{t}",
            };
        }
    }
}

/// <summary>
/// Reads every routable page from Edison.Web's compiled assembly (its [RazorCompiledItem] attributes and the route template
/// the Razor compiler records beside each page), the same list the app's endpoint data source is built from. The app runs
/// out of process, so the assembly is loaded into a collectible context of its own and only its attribute data is read.
/// </summary>
internal static class WebPageRoutes
{
    private const string MetadataKey = "EdisonWebPath";
    private const string PageKind = "mvc.1.0.razor-page";

    public static IReadOnlyList<WebPageRoute> All()
    {
        var path = typeof(WebPageRoutes).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == MetadataKey)?.Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException($"Edison.Web.dll is not at '{path}'; build the end-to-end test project (it builds Edison.Web).");
        }

        var context = new WebAssemblyContext(path);
        try
        {
            var assembly = context.LoadFromAssemblyPath(path);
            var pages = new List<WebPageRoute>();
            foreach (var item in assembly.GetCustomAttributesData().Where(a => a.AttributeType.Name == "RazorCompiledItemAttribute"))
            {
                if (item.ConstructorArguments is not [{ Value: Type type }, { Value: PageKind }, { Value: string identifier }])
                {
                    continue;
                }

                var template = type.GetCustomAttributesData()
                    .Where(a => a.AttributeType.Name == "RazorCompiledItemMetadataAttribute")
                    .Select(a => a.ConstructorArguments)
                    .FirstOrDefault(args => args is [{ Value: "RouteTemplate" }, _])?[1].Value as string;
                pages.Add(new WebPageRoute(identifier, template));
            }

            return pages.OrderBy(p => p.Identifier, StringComparer.Ordinal).ToList();
        }
        finally
        {
            context.Unload();
        }
    }

    private sealed class WebAssemblyContext(string mainAssemblyPath) : AssemblyLoadContext("edison-web-pages", isCollectible: true)
    {
        private readonly AssemblyDependencyResolver _resolver = new(mainAssemblyPath);

        // Framework assemblies (ASP.NET Core's Razor attributes) come from the default context; the app's own packages from its folder.
        protected override Assembly? Load(AssemblyName assemblyName) =>
            _resolver.ResolveAssemblyToPath(assemblyName) is { } found ? LoadFromAssemblyPath(found) : null;
    }
}

namespace Edison.Core.Tests.Architecture;

public sealed class CoreBoundaryTests
{
    private static readonly string[] References = typeof(CoreRegistration).Assembly.GetReferencedAssemblies()
        .Select(a => a.Name!).ToArray();

    [Fact]
    public void Core_ReferencedAssemblies_IncludeDataProtectionSoTheCheckSeesRealNames()
    {
        // Guards the checks below against passing vacuously on an empty or renamed list.
        Assert.Contains("Microsoft.AspNetCore.DataProtection", References);
        Assert.Contains("Fluid", References);
    }

    [Fact]
    public void Core_AspNetCoreReferences_OnlyDataProtection()
    {
        var web = References.Where(r => r.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal)
            && !r.StartsWith("Microsoft.AspNetCore.DataProtection", StringComparison.Ordinal)).ToList();

        Assert.True(web.Count == 0, $"Edison.Core references web assemblies: {string.Join(", ", web)}");
    }

    [Theory]
    [InlineData("Microsoft.AspNetCore.Mvc")]
    [InlineData("Microsoft.AspNetCore.Razor")]
    [InlineData("Microsoft.AspNetCore.Routing")]
    [InlineData("Microsoft.AspNetCore.Http")]
    [InlineData("Microsoft.AspNetCore.Hosting")]
    [InlineData("Quartz")]
    public void Core_ReferencedAssemblies_NoneFromForbiddenFamily(string family)
    {
        var hits = References.Where(r => r == family || r.StartsWith(family + ".", StringComparison.Ordinal)).ToList();

        Assert.True(hits.Count == 0, $"Edison.Core references {string.Join(", ", hits)}");
    }
}

using Edison.AppHost.Infra;
using Microsoft.Extensions.Configuration;

namespace Edison.AppHost;

/// The web app's fixed address in run mode, so it can be bookmarked (Edison:WebPort, default 5180).
internal static class WebPort
{
    public static int Resolve(IConfiguration configuration)
    {
        var port = LocalPort.Read(configuration, InfraSettings.WebPort, InfraSettings.DefaultWebPort);
        // A taken port leaves the web app unhealthy with no error at all. Aspire.Hosting.Testing randomizes ports,
        // so tests never need it free.
        if (!configuration.GetValue<bool>("DcpPublisher:RandomizePorts"))
        {
            LocalPort.EnsureFree(port, "the web app", InfraSettings.WebPort,
                " (an Edison AppHost still running, or stopped less than ~20 s ago?)");
        }

        return port;
    }
}

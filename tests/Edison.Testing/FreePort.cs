using System.Net;
using System.Net.Sockets;

namespace Edison.Testing;

public static class FreePort
{
    /// <summary>
    /// A loopback port nobody listens on right now (the OS hands it out and it is released at once). Another process could
    /// take it before the caller binds; the caller's start-up failure then says so.
    /// </summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

using Microsoft.Extensions.Configuration;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Edison.AppHost.Infra;

/// Loopback ports for the local servers: configurable, and checked before anything starts, because a taken port
/// would otherwise show up only as a server that exits or a health check that never passes.
internal static class LocalPort
{
    public static int Read(IConfiguration configuration, string key, int defaultPort)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return defaultPort;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new InfraSetupException($"{key}={text} is not a TCP port (1-65535).");
    }

    public static void EnsureFree(int port, string server, string key, string? hint = null)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            throw new InfraSetupException(
                $"Port {port} on 127.0.0.1, chosen for {server}, is already in use by another program{hint}. " +
                $"Stop that program, or choose another port with --{key}=<port> (environment: {key.Replace(":", "__", StringComparison.Ordinal)}).", ex);
        }
    }
}

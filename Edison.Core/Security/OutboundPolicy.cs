using System.Net;
using System.Net.Sockets;

namespace Edison.Core.Security;

/// <summary>
/// Where Edison's own outbound calls (provider credentials, Vertex's token endpoint, regression webhooks, model downloads) may go.
/// Cloud metadata and link-local addresses are always refused: they hand out the host's own credentials. Loopback and private
/// ranges are allowed where the caller says so (credentials an admin creates: a self-hosted Ollama, vLLM or
/// LM Studio is the point). The check runs twice: on the address as typed (a literal IP, in any notation <see cref="Uri"/>
/// accepts, such as <c>2130706433</c>), and on every address a host name resolves to, just before connecting.
/// </summary>
public static class OutboundPolicy
{
    // Host names that resolve to a metadata service inside the clouds Edison is deployed to.
    private static readonly HashSet<string> MetadataHosts = new(StringComparer.OrdinalIgnoreCase)
    {
        "metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal",
    };

    // Metadata endpoints outside 169.254/16: AWS's IPv6 one and Alibaba's.
    private static readonly IPAddress[] MetadataAddresses = [IPAddress.Parse("fd00:ec2::254"), IPAddress.Parse("100.100.100.200")];

    /// <summary>Why Edison must not call <paramref name="uri"/>, or null. Host names are checked again when they resolve.</summary>
    public static string? Refusal(Uri uri, bool allowPrivate)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (MetadataHosts.Contains(uri.IdnHost.TrimEnd('.')))
        {
            return $"{uri.Host} is a cloud metadata service; Edison never calls it.";
        }

        return IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) ? Refusal(address, allowPrivate) : null;
    }

    /// <summary>Why Edison must not connect to <paramref name="address"/>, or null.</summary>
    public static string? Refusal(IPAddress address, bool allowPrivate)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.GetAddressBytes() is [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, ..] nat64)
        {
            // 64:ff9b::/96 (NAT64) reaches the IPv4 address in its last four bytes.
            address = new IPAddress(nat64[12..]);
        }

        if (MetadataAddresses.Any(address.Equals) || IsLinkLocal(address) || IsUnspecified(address) || IsMulticast(address))
        {
            return $"{address} is a link-local, metadata or unroutable address; Edison never calls it.";
        }

        if (!allowPrivate && (IPAddress.IsLoopback(address) || IsPrivate(address)))
        {
            return $"{address} is on this machine or a private network; only an admin's provider credential may point there.";
        }

        return null;
    }

    /// <summary>
    /// A <see cref="SocketsHttpHandler.ConnectCallback"/> that resolves the host, refuses every address the policy refuses, and
    /// connects to the first allowed one; a host name that later resolves to a metadata address (DNS rebinding) is refused too.
    /// </summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback(Func<bool> allowPrivate)
    {
        ArgumentNullException.ThrowIfNull(allowPrivate);
        return async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(host, cancellationToken);
            var allowed = addresses.Where(a => Refusal(a, allowPrivate()) is null).ToArray();
            if (allowed.Length == 0)
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, addresses.Length == 0
                    ? $"{host} does not resolve."
                    : $"Edison's outbound policy refuses {host}: {Refusal(addresses[0], allowPrivate())}");
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
    }

    /// <summary>A handler with redirects off and the policy applied at connect time, for Edison's own HTTP clients.</summary>
    public static SocketsHttpHandler Handler(Func<bool> allowPrivate) => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AllowAutoRedirect = false,
        ConnectCallback = ConnectCallback(allowPrivate),
    };

    private static bool IsLinkLocal(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork
        ? address.GetAddressBytes() is [169, 254, ..]
        : address.IsIPv6LinkLocal || address.IsIPv6SiteLocal;

    private static bool IsUnspecified(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork
        ? address.GetAddressBytes() is [0, ..] or [255, 255, 255, 255]
        : address.Equals(IPAddress.IPv6Any);

    private static bool IsMulticast(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork
        ? address.GetAddressBytes()[0] >= 224
        : address.IsIPv6Multicast;

    private static bool IsPrivate(IPAddress address)
    {
        var b = address.GetAddressBytes();
        return address.AddressFamily == AddressFamily.InterNetwork
            ? b[0] == 10 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 100 && b[1] is >= 64 and <= 127)
            : (b[0] & 0xFE) == 0xFC || address.IsIPv6UniqueLocal;
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Edison.Testing;

/// <summary>
/// A loopback TCP proxy in front of a real server (PostgreSQL, Redis) that a test can cut: <see cref="Sever"/> resets every
/// open connection and refuses new ones until <see cref="Restore"/>. Point the app's connection string at <see cref="Port"/>.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Guid, (TcpClient Client, TcpClient Server)> _pairs = new();
    private readonly Task _acceptLoop;
    private volatile bool _refusing;
    private int _accepted;
    private int _refused;

    private TcpFaultProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The loopback port the proxy listens on.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections passed through so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Connections turned away while severed.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Connections currently open through the proxy.</summary>
    public int OpenConnections => _pairs.Count;

    /// <summary>Starts a proxy to <paramref name="targetHost"/>:<paramref name="targetPort"/>.</summary>
    public static TcpFaultProxy Start(string targetHost, int targetPort)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(targetHost);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetPort);
        return new TcpFaultProxy(targetHost, targetPort);
    }

    /// <summary>Resets every open connection and refuses (accepts, then resets) new ones until <see cref="Restore"/>.</summary>
    public void Sever()
    {
        _refusing = true;
        foreach (var (id, pair) in _pairs)
        {
            Reset(pair.Client);
            Reset(pair.Server);
            _pairs.TryRemove(id, out _);
        }
    }

    /// <summary>Lets connections through again.</summary>
    public void Restore() => _refusing = false;

    /// <summary>Severs for <paramref name="outage"/>, then restores.</summary>
    public async Task SeverForAsync(TimeSpan outage, CancellationToken cancellationToken)
    {
        Sever();
        try
        {
            await Task.Delay(outage, cancellationToken);
        }
        finally
        {
            Restore();
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (_refusing)
            {
                Interlocked.Increment(ref _refused);
                Reset(client);
                continue;
            }

            _ = PipeAsync(client);
        }
    }

    private async Task PipeAsync(TcpClient client)
    {
        var server = new TcpClient { NoDelay = true };
        client.NoDelay = true;
        var id = Guid.NewGuid();
        try
        {
            await server.ConnectAsync(_targetHost, _targetPort, _stopping.Token);
            if (_refusing)
            {
                throw new SocketException((int)SocketError.ConnectionRefused);
            }

            Interlocked.Increment(ref _accepted);
            _pairs[id] = (client, server);
            using var done = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            var up = CopyAsync(client, server, done.Token);
            var down = CopyAsync(server, client, done.Token);
            await Task.WhenAny(up, down);
            await done.CancelAsync();
            await Task.WhenAll(up, down);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // The peer went away or the proxy cut it; either way the pair closes below.
        }
        finally
        {
            _pairs.TryRemove(id, out _);
            Reset(client);
            Reset(server);
        }
    }

    private static async Task CopyAsync(TcpClient from, TcpClient to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            var source = from.GetStream();
            var target = to.GetStream();
            while (true)
            {
                var read = await source.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    return;
                }

                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException
            or InvalidOperationException)
        {
            // Cut by Sever or closed by a peer.
        }
    }

    // Linger 0 makes Close send RST, as a dead server or a dropped network would look to the app.
    private static void Reset(TcpClient client)
    {
        try
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        Sever();
        await _acceptLoop;
        _stopping.Dispose();
    }
}

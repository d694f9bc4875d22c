using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;

namespace Edison.Testing;

/// <summary>
/// A minimal OTLP/HTTP collector on loopback: accepts POST /v1/traces, /v1/logs and /v1/metrics (protobuf), answers with an
/// empty success message and keeps every body as received, so a test can search what a host really exported.
/// An <see cref="HttpListener"/>, not Kestrel, so receiving an export never produces an ASP.NET Core span of its own.
/// </summary>
public sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Signal, byte[] Body)> _exports = new();
    private readonly Task _loop;

    private OtlpReceiver(int port)
    {
        Endpoint = new Uri($"http://127.0.0.1:{port}");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(ListenAsync);
    }

    /// <summary>The base address to give as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>Starts a receiver on a free loopback port.</summary>
    public static OtlpReceiver Start() => new(FreePort.Next());

    /// <summary>The bodies received for a signal ("traces", "logs" or "metrics"), decompressed.</summary>
    public IReadOnlyList<byte[]> Bodies(string signal) => [.. _exports.Where(e => e.Signal == signal).Select(e => e.Body)];

    /// <summary>Whether any body of any signal contains <paramref name="text"/> as UTF-8 (how protobuf stores strings).</summary>
    public bool AnyContains(string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        return _exports.Any(e => e.Body.AsSpan().IndexOf(needle) >= 0);
    }

    /// <summary>Whether a body of <paramref name="signal"/> contains <paramref name="text"/> as UTF-8.</summary>
    public bool Contains(string signal, string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        return Bodies(signal).Any(b => b.AsSpan().IndexOf(needle) >= 0);
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends with the listener's disposal exception; nothing is left to report.
        }
    }

    private async Task ListenAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                var path = context.Request.Url?.AbsolutePath ?? "";
                var signal = path switch
                {
                    "/v1/traces" => "traces",
                    "/v1/logs" => "logs",
                    "/v1/metrics" => "metrics",
                    _ => null,
                };
                if (context.Request.HttpMethod != "POST" || signal is null)
                {
                    context.Response.StatusCode = (int)HttpStatusCode.NotFound;
                    continue;
                }

                using var body = new MemoryStream();
                var input = context.Request.Headers["Content-Encoding"] == "gzip"
                    ? new GZipStream(context.Request.InputStream, CompressionMode.Decompress)
                    : context.Request.InputStream;
                await using (input)
                {
                    await input.CopyToAsync(body);
                }

                _exports.Enqueue((signal, body.ToArray()));
                context.Response.StatusCode = (int)HttpStatusCode.OK;
                context.Response.ContentType = "application/x-protobuf";
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or InvalidDataException)
            {
                context.Response.StatusCode = (int)HttpStatusCode.BadRequest;
            }
            finally
            {
                context.Response.Close();
            }
        }
    }
}

using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edison.Core.Llm.Local;

/// <summary>
/// Fetches a GGUF model once into Edison's model folder: streamed to a temporary file while its SHA-256 is computed,
/// reported as progress, and moved into place only when the checksum matches, so a cut or corrupted download never
/// leaves a file a worker would load. A file already present with the right checksum is not fetched again.
/// </summary>
public sealed partial class LocalModelDownloader
{
    /// <summary>The named HttpClient the downloads use.</summary>
    public const string HttpClientName = "edison-model-download";

    private const int BufferSize = 1 << 16;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);
    private readonly IHttpClientFactory _http;
    private readonly IOptions<LlmOptions> _options;
    private readonly ILogger<LocalModelDownloader> _logger;

    internal LocalModelDownloader(IHttpClientFactory http, IOptions<LlmOptions> options, ILogger<LocalModelDownloader> logger)
    {
        _http = http;
        _options = options;
        _logger = logger;
    }

    /// <summary>Downloads <paramref name="source"/> unless a file with <paramref name="sha256"/> is already in the model folder.</summary>
    public async Task<ModelDownloadResult> DownloadAsync(Uri source, string sha256, IProgress<ModelDownloadProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(sha256);
        if (source.Scheme != Uri.UriSchemeHttps && source.Scheme != Uri.UriSchemeHttp)
        {
            return Failed("The model's address must be an http:// or https:// URL.");
        }

        if (Security.OutboundPolicy.Refusal(source, allowPrivate: true) is { } refused)
        {
            return Failed($"The model cannot be downloaded from there: {refused}");
        }

        var name = Path.GetFileName(source.LocalPath);
        if (!name.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
        {
            return Failed("The URL must name a .gguf file, e.g. https://example.com/models/model.Q4_K_M.gguf.");
        }

        var expected = sha256.Trim().ToLowerInvariant();
        var folder = _options.Value.ModelsDirectory;
        Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, name);
        if (File.Exists(target) && await HashAsync(target, cancellationToken) == expected)
        {
            return new ModelDownloadResult(target, new FileInfo(target).Length, true, null);
        }

        var partial = target + $".{Guid.NewGuid():N}.part";
        try
        {
            using var response = await _http.CreateClient(HttpClientName)
                .GetAsync(source, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return Failed($"The server answered {(int)response.StatusCode} {response.ReasonPhrase} for {source}.");
            }

            var total = response.Content.Headers.ContentLength;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long received = 0;
            var lastReport = DateTime.MinValue;
            await using (var input = await response.Content.ReadAsStreamAsync(cancellationToken))
            await using (var output = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                var buffer = new byte[BufferSize];
                int read;
                while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    received += read;
                    if (DateTime.UtcNow - lastReport >= ProgressInterval)
                    {
                        lastReport = DateTime.UtcNow;
                        progress?.Report(new ModelDownloadProgress(received, total));
                    }
                }
            }

            progress?.Report(new ModelDownloadProgress(received, total));
            if (total is { } length && received != length)
            {
                return Failed($"The download stopped at {received:N0} of {length:N0} bytes; try again.");
            }

            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (actual != expected)
            {
                return Failed($"The downloaded file's SHA-256 is {actual}, not the expected {expected}; it was discarded.");
            }

            File.Move(partial, target, overwrite: true);
            LogDownloaded(source, received);
            return new ModelDownloadResult(target, received, false, null);
        }
        catch (HttpRequestException ex)
        {
            return Failed($"The model could not be fetched from {source.Host}: {ex.Message}");
        }
        catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed($"The download from {source.Host} was cut off ({ex.Message}); try again.");
        }
        finally
        {
            if (File.Exists(partial))
            {
                File.Delete(partial);
            }
        }
    }

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    private static ModelDownloadResult Failed(string error) => new(null, 0, false, error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Downloaded local model {Source} ({Bytes} bytes)")]
    private partial void LogDownloaded(Uri source, long bytes);
}

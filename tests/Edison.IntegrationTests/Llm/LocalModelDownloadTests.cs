using System.Net;
using Edison.Core.Llm;
using Edison.Core.Llm.Local;
using Edison.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Edison.IntegrationTests.Llm;

/// <summary>
/// Fetching a local model once into the model folder, from a real HTTP server on loopback serving the tiny GGUF: progress
/// up to the file's size, the checksum checked before the file appears, no second fetch, and failures that leave nothing.
/// </summary>
public sealed class LocalModelDownloadTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"edison-models-{Guid.NewGuid():N}");
    private WebApplication? _server;
    private int _requests;
    private Uri _base = new("http://127.0.0.1/");

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _server = builder.Build();
        _server.MapGet("/models/{name}", (string name) =>
        {
            Interlocked.Increment(ref _requests);
            return name == TinyModel.FileName && TinyModel.Path is { } path
                ? Results.File(path, "application/octet-stream")
                : Results.NotFound();
        });
        _server.MapGet("/cut/{name}", async (HttpContext http) =>
        {
            // Promises the whole file, sends a few bytes, then drops the connection.
            http.Response.ContentLength = new FileInfo(TinyModel.Path!).Length;
            await http.Response.Body.WriteAsync(new byte[1000]);
            await http.Response.Body.FlushAsync();
            http.Abort();
        });
        await _server.StartAsync();
        _base = new Uri(_server.Urls.Single().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal) + "/");
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [TinyModelFact]
    public async Task DownloadAsync_ModelServedOverHttp_ReportsProgressChecksAndIsNotFetchedTwice()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var size = new FileInfo(TinyModel.Path!).Length;
        var reports = new List<ModelDownloadProgress>();
        var downloader = Downloader();

        var first = await downloader.DownloadAsync(new Uri(_base, $"models/{TinyModel.FileName}"), TinyModel.Sha256,
            new SynchronousProgress(reports.Add), cts.Token);
        var second = await downloader.DownloadAsync(new Uri(_base, $"models/{TinyModel.FileName}"), TinyModel.Sha256, null, cts.Token);

        Assert.True(first.Succeeded, first.Error);
        Assert.Equal((size, false), (first.SizeBytes, first.AlreadyPresent));
        Assert.Equal(Path.Combine(_folder, TinyModel.FileName), first.Path);
        Assert.NotEmpty(reports);
        Assert.Equal(size, reports[^1].BytesReceived);
        Assert.Equal(1.0, reports[^1].Fraction);
        Assert.Equal(reports.Select(r => r.BytesReceived).Order(), reports.Select(r => r.BytesReceived));
        Assert.True(second.Succeeded && second.AlreadyPresent);
        Assert.Equal(1, _requests);
        Assert.Single(Directory.GetFiles(_folder));
    }

    [TinyModelFact]
    public async Task DownloadAsync_WrongChecksum_DiscardsTheFileAndSaysBothDigests()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var wrong = new string('0', 64);

        var result = await Downloader().DownloadAsync(new Uri(_base, $"models/{TinyModel.FileName}"), wrong, null, cts.Token);

        Assert.False(result.Succeeded);
        Assert.Contains(TinyModel.Sha256, result.Error, StringComparison.Ordinal);
        Assert.Contains(wrong, result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [TinyModelFact]
    public async Task DownloadAsync_ConnectionCutOrMissingFile_FailsInWordsAndLeavesNothing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var downloader = Downloader();

        var cut = await downloader.DownloadAsync(new Uri(_base, $"cut/{TinyModel.FileName}"), TinyModel.Sha256, null, cts.Token);
        var missing = await downloader.DownloadAsync(new Uri(_base, "models/absent.gguf"), TinyModel.Sha256, null, cts.Token);
        var notGguf = await downloader.DownloadAsync(new Uri(_base, "models/weights.bin"), TinyModel.Sha256, null, cts.Token);

        Assert.False(cut.Succeeded);
        Assert.False(string.IsNullOrWhiteSpace(cut.Error));
        Assert.Contains("404", missing.Error, StringComparison.Ordinal);
        Assert.Contains(".gguf", notGguf.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    private LocalModelDownloader Downloader()
    {
        var services = new ServiceCollection();
        services.AddHttpClient(LocalModelDownloader.HttpClientName);
        var provider = services.BuildServiceProvider();
        return new LocalModelDownloader(provider.GetRequiredService<IHttpClientFactory>(),
            Options.Create(new LlmOptions { ModelsDirectory = _folder }), NullLogger<LocalModelDownloader>.Instance);
    }

    // Progress<T> posts to the thread pool, so reports could arrive after the call returns; the test wants them in order.
    private sealed class SynchronousProgress(Action<ModelDownloadProgress> report) : IProgress<ModelDownloadProgress>
    {
        public void Report(ModelDownloadProgress value) => report(value);
    }
}

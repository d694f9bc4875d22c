using System.Collections.Concurrent;
using System.Diagnostics;
using LLama;
using LLama.Common;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace Edison.Core.Llm.Local;

/// <summary>
/// Each GGUF file loaded once per process lifetime of the host and shared by every call (weights are read-only; each call
/// gets its own context); disposed with the host's container.
/// </summary>
internal sealed partial class LocalModelCache : IDisposable
{
    /// Contexts are allocated per call, so a model trained on a huge window must not reserve all of it every time.
    private const int MaxContextSize = 4096;

    private static int _nativeLogConfigured;
    private static ILogger? _nativeLogger;

    private readonly ConcurrentDictionary<string, Lazy<LLamaWeights>> _weights = new(StringComparer.Ordinal);
    private readonly ILogger<LocalModelCache> _logger;
    private bool _disposed;

    public LocalModelCache(ILogger<LocalModelCache> logger)
    {
        _logger = logger;
        _nativeLogger = logger;
        ConfigureNativeLog();
    }

    /// <summary>The loaded weights of <paramref name="path"/>, loading them on first use.</summary>
    public Task<LLamaWeights> GetAsync(string path, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var full = Path.GetFullPath(path);
        var lazy = _weights.GetOrAdd(full, p => new Lazy<LLamaWeights>(() => Load(p), LazyThreadSafetyMode.ExecutionAndPublication));
        if (lazy.IsValueCreated)
        {
            return Task.FromResult(lazy.Value);
        }

        // Loading a multi-GB file must not block the caller's thread.
        return Task.Run(() =>
        {
            try
            {
                return lazy.Value;
            }
            catch
            {
                // A failed load is not cached, so fixing the file fixes the next call.
                _weights.TryRemove(new KeyValuePair<string, Lazy<LLamaWeights>>(full, lazy));
                throw;
            }
        }, cancellationToken);
    }

    /// <summary>Context parameters for one call on <paramref name="weights"/>.</summary>
    public static ModelParams ContextParameters(string path, LLamaWeights weights) => new(path)
    {
        ContextSize = (uint)Math.Clamp(weights.ContextSize, 256, MaxContextSize),
        GpuLayerCount = 0,
    };

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var lazy in _weights.Values.Where(l => l.IsValueCreated))
        {
            lazy.Value.Dispose();
        }

        _weights.Clear();
    }

    private LLamaWeights Load(string path)
    {
        var stopwatch = Stopwatch.StartNew();
        var weights = LLamaWeights.LoadFromFile(new ModelParams(path) { GpuLayerCount = 0 });
        LogLoaded(_logger, Path.GetFileName(path), new FileInfo(path).Length, stopwatch.ElapsedMilliseconds);
        return weights;
    }

    /// llama.cpp logs every tensor it reads; the callback can only be set before the native library loads, once per process.
    private static void ConfigureNativeLog()
    {
        if (Interlocked.Exchange(ref _nativeLogConfigured, 1) != 0)
        {
            return;
        }

        NativeLibraryConfig.All.WithLogCallback((level, message) =>
        {
            if (level is LLamaLogLevel.Error && _nativeLogger is { } logger)
            {
                LogNative(logger, message.TrimEnd());
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded local model {File} ({Bytes} bytes) in {ElapsedMs} ms")]
    private static partial void LogLoaded(ILogger logger, string file, long bytes, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "llama.cpp: {Message}")]
    private static partial void LogNative(ILogger logger, string message);
}

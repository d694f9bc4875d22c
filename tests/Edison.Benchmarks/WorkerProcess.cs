using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Edison.Benchmarks;

/// A real Edison.Worker (or Edison.Web) process started from its built dll (never `dotnet run`, whose builds would collide),
/// with its output drained into a log file so a full pipe can never stall it.
internal sealed class WorkerProcess : IAsyncDisposable
{
    private Uri? _baseAddress;

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();
    private bool _logClosed;

    private WorkerProcess(Process process, StreamWriter log, string logPath)
    {
        _process = process;
        _log = log;
        LogPath = logPath;
    }

    public string LogPath { get; }

    public int ProcessId => _process.Id;

    /// Where the process listens on loopback.
    public Uri BaseAddress => _baseAddress ?? throw new InvalidOperationException("The process was not started listening.");

    public static string DllPath { get; } = BuiltDll("EdisonWorkerDll");

    public static string WebDllPath { get; } = BuiltDll("EdisonWebDll");

    private static string BuiltDll(string key) => typeof(WorkerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == key).Value!;

    /// Runs `migrate` against the database and waits for it to exit 0.
    public static async Task MigrateAsync(string databaseConnectionString, string logDirectory, CancellationToken cancellationToken)
    {
        await using var migrate = Start(DllPath, ["migrate"], new Dictionary<string, string>
        {
            ["ConnectionStrings__edisondb"] = databaseConnectionString,
        }, Path.Combine(logDirectory, "migrate.log"));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        await migrate._process.WaitForExitAsync(timeout.Token);
        if (migrate._process.ExitCode != 0)
        {
            throw new InvalidOperationException($"migrate exited {migrate._process.ExitCode}; see {migrate.LogPath}");
        }
    }

    /// Starts a worker on a free loopback port and waits until its /health answers.
    public static Task<WorkerProcess> StartWorkerAsync(IReadOnlyDictionary<string, string> environment, string logDirectory,
        CancellationToken cancellationToken) => StartListeningAsync(DllPath, environment, Path.Combine(logDirectory, "worker.log"), cancellationToken);

    /// Starts the web app (Kestrel) on a free loopback port, its content root the project folder, and waits until /health answers.
    public static Task<WorkerProcess> StartWebAsync(IReadOnlyDictionary<string, string> environment, string logDirectory,
        CancellationToken cancellationToken)
    {
        var contentRoot = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(WebDllPath)!, "..", "..", ".."));
        var settings = new Dictionary<string, string>(environment) { ["ASPNETCORE_CONTENTROOT"] = contentRoot };
        return StartListeningAsync(WebDllPath, settings, Path.Combine(logDirectory, "web.log"), cancellationToken);
    }

    private static async Task<WorkerProcess> StartListeningAsync(string dllPath, IReadOnlyDictionary<string, string> environment, string logPath,
        CancellationToken cancellationToken)
    {
        var port = FreePort();
        var worker = Start(dllPath, ["--urls", $"http://127.0.0.1:{port}"], environment, logPath);
        worker._baseAddress = new Uri($"http://127.0.0.1:{port}/");
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            while (true)
            {
                if (worker._process.HasExited)
                {
                    throw new InvalidOperationException($"{Path.GetFileName(dllPath)} exited {worker._process.ExitCode} while starting; see {worker.LogPath}");
                }

                try
                {
                    using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"), timeout.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        return worker;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                catch (TaskCanceledException) when (!timeout.IsCancellationRequested)
                {
                    // One probe timed out; the overall wait is still bounded.
                }

                await Task.Delay(200, timeout.Token);
            }
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(timeout.Token);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        finally
        {
            _process.Dispose();
            lock (_logLock)
            {
                _logClosed = true;
                _log.Dispose();
            }
        }
    }

    private static WorkerProcess Start(string dllPath, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        if (!File.Exists(dllPath))
        {
            throw new FileNotFoundException($"{Path.GetFileName(dllPath)} is not built at {dllPath}; build the solution in the same configuration.", dllPath);
        }

        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dllPath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dllPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_hostBuilder__reloadConfigOnChange"] = "false";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        var worker = new WorkerProcess(process, log, logPath);
        process.OutputDataReceived += (_, e) => worker.Append(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logLock)
        {
            if (!_logClosed)
            {
                _log.WriteLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

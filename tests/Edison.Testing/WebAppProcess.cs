using System.Diagnostics;
using System.Globalization;

namespace Edison.Testing;

/// <summary>
/// A real Edison web app (<c>dotnet Edison.Web.dll</c>) in a process of its own, for tests whose input could crash or exhaust a
/// process: a regression then fails the test (the process died, or its peak working set says how much it took) instead of
/// taking the test host down. Disposing kills it; <see cref="Output"/> keeps what it printed (its log, setup token included).
/// </summary>
public sealed class WebAppProcess : IAsyncDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly ProcessOutput _output;

    private WebAppProcess(Process process, ProcessOutput output, Uri baseAddress)
    {
        _process = process;
        _output = output;
        BaseAddress = baseAddress;
    }

    /// <summary>The operating-system process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Where the app answers.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>What the app has printed so far (stdout, and stderr lines marked as such).</summary>
    public string Output => _output.Text;

    /// <summary>The most memory the process has held at once (Linux VmHWM), in bytes.</summary>
    public long PeakWorkingSetBytes
    {
        get
        {
            _process.Refresh();
            return _process.PeakWorkingSet64;
        }
    }

    /// <summary>
    /// Starts <paramref name="webDllPath"/> on the given database and Redis, content root the project folder (three levels above
    /// bin/&lt;configuration&gt;/&lt;framework&gt;). <paramref name="settings"/> are extra configuration values by their
    /// environment-variable names (e.g. <c>Edison__SetupToken</c>), applied last.
    /// </summary>
    public static WebAppProcess Start(string webDllPath, string databaseConnectionString, string redisConnectionString,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(webDllPath);
        if (!File.Exists(webDllPath))
        {
            throw new InvalidOperationException($"Edison.Web.dll is not at {webDllPath}; build the test project (it builds Edison.Web).");
        }

        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ConnectionStrings__edisondb"] = databaseConnectionString,
            ["ConnectionStrings__redis"] = redisConnectionString,
            ["ASPNETCORE_CONTENTROOT"] = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(webDllPath)!, "..", "..", "..")),
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        var startInfo = WorkerBinary.StartInfo(webDllPath, ["--urls", $"http://127.0.0.1:{port}"], environment);
        var process = new Process { StartInfo = startInfo };
        var output = new ProcessOutput(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new WebAppProcess(process, output, new Uri($"http://127.0.0.1:{port}/"));
    }

    /// <summary>Waits until /health answers 200; fails at once, with the app's output, if the process ends first.</summary>
    public async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The web app (pid {Pid}) exited with code {_process.ExitCode} before it was healthy:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("health", UriKind.Relative), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // One probe timed out; the next may not.
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The web app (pid {Pid}) was not healthy in time:\n{Output}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(ExitTimeout);
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // Already gone, or never started: nothing left to stop.
        }
        finally
        {
            _process.Dispose();
        }
    }
}

using System.Diagnostics;
using System.Globalization;

namespace Edison.Testing;

/// <summary>
/// A real Edison worker (<c>dotnet Edison.Worker.dll</c>) on a test database, with the fast Quartz cluster timings the
/// crash drills need. Disposing kills it; <see cref="Output"/> keeps what it printed.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly ProcessOutput _output;

    private WorkerProcess(Process process, ProcessOutput output, Uri baseAddress)
    {
        _process = process;
        _output = output;
        BaseAddress = baseAddress;
    }

    /// <summary>The operating-system process id; Quartz's instance id ends with <c>-{Pid}</c>.</summary>
    public int Pid => _process.Id;

    /// <summary>Where the worker's /health answers.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>What the worker has printed so far (stdout, and stderr lines marked as such).</summary>
    public string Output => _output.Text;

    /// <summary>
    /// Starts a worker on <paramref name="databaseConnectionString"/> and <paramref name="redisConnectionString"/>.
    /// <paramref name="settings"/> are extra configuration values by their environment-variable names
    /// (e.g. <c>Edison__Llm__MaxAttempts</c>), applied last.
    /// </summary>
    public static WorkerProcess Start(string databaseConnectionString, string redisConnectionString,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databaseConnectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(redisConnectionString);
        var port = FreePort.Next();
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ConnectionStrings__edisondb"] = databaseConnectionString,
            ["ConnectionStrings__redis"] = redisConnectionString,
            ["Edison__Scheduler__CheckinInterval"] = "00:00:02",
            ["Edison__Scheduler__CheckinMisfireThreshold"] = "00:00:03",
            ["Edison__Scheduler__DbRetryInterval"] = "00:00:02",
            ["Edison__Scheduler__IdleWaitTime"] = "00:00:01",
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        var startInfo = WorkerBinary.StartInfo(["--urls", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"], environment);
        var process = new Process { StartInfo = startInfo };
        var output = new ProcessOutput(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new WorkerProcess(process, output, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"));
    }

    /// <summary>
    /// Runs <c>dotnet Edison.Worker.dll migrate</c> on <paramref name="connectionString"/>, as the AppHost's migrate step does,
    /// and returns its exit code and output.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunMigrateAsync(string connectionString, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var startInfo = WorkerBinary.StartInfo(["migrate"], new Dictionary<string, string?> { ["ConnectionStrings__edisondb"] = connectionString });
        using var process = new Process { StartInfo = startInfo };
        var output = new ProcessOutput(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, output.Text);
    }

    /// <summary>Waits until /health answers 200; fails at once, with the worker's output, if the process ends first.</summary>
    public async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The worker (pid {Pid}) exited with code {_process.ExitCode} before it was healthy:\n{Output}");
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
                throw new TimeoutException($"The worker (pid {Pid}) was not healthy in time:\n{Output}");
            }
        }
    }

    /// <summary>Ends the worker with SIGKILL: no shutdown hooks, no Quartz check-out, as a crash or an OOM kill would.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Waits for the process to end.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            Kill();
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

using System.Diagnostics;
using System.Reflection;

namespace Edison.Testing;

/// <summary>Where the built Edison.Worker.dll is, and how to start it the way a deployment does: <c>dotnet Edison.Worker.dll</c>.</summary>
public static class WorkerBinary
{
    private const string MetadataKey = "EdisonWorkerPath";

    // Lazy rather than a static initializer, so a missing build surfaces as its own message, not a TypeInitializationException.
    private static readonly Lazy<string> Dll = new(FindDll);

    /// <summary>The full path of Edison.Worker.dll in the worker project's own output folder.</summary>
    public static string DllPath => Dll.Value;

    internal static ProcessStartInfo StartInfo(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment) =>
        StartInfo(DllPath, arguments, environment);

    /// The start of any of Edison's executables (the worker, or the web app for <see cref="WebAppProcess"/>) the way a deployment runs it.
    internal static ProcessStartInfo StartInfo(string dllPath, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment)
    {
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(dllPath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(dllPath);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Telemetry export or another Edison configuration inherited from the test runner's environment must not leak in.
        foreach (var name in startInfo.Environment.Keys.Where(k => k.StartsWith("OTEL_", StringComparison.Ordinal)
            || k.StartsWith("Edison__", StringComparison.Ordinal) || k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)).ToList())
        {
            startInfo.Environment.Remove(name);
        }

        startInfo.Environment["DOTNET_ENVIRONMENT"] = "Production";
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // Each host's config file watcher costs one of the user's 128 inotify instances.
        startInfo.Environment["DOTNET_hostBuilder__reloadConfigOnChange"] = "false";
        startInfo.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        startInfo.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        return startInfo;
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string FindDll()
    {
        var path = typeof(WorkerBinary).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == MetadataKey)?.Value;
        if (string.IsNullOrEmpty(path))
        {
            throw new InvalidOperationException($"Edison.Testing was built without the {MetadataKey} assembly metadata; rebuild the solution.");
        }

        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"Edison.Worker.dll is not at {path}; build Edison.Worker (dotnet build Edison.sln) first.");
    }
}

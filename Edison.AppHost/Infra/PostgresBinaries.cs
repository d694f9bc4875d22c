using System.Globalization;
using System.Text.RegularExpressions;

namespace Edison.AppHost.Infra;

/// The PostgreSQL server programs. Debian installs them in /usr/lib/postgresql/&lt;major&gt;/bin and puts no
/// `postgres` on PATH, so that folder is searched before PATH.
internal sealed partial record PostgresBinaries(string BinDir, int MajorVersion)
{
    private const string DebianRoot = "/usr/lib/postgresql";

    public string Postgres => Path.Combine(BinDir, "postgres");

    public string InitDb => Path.Combine(BinDir, "initdb");

    public string PgCtl => Path.Combine(BinDir, "pg_ctl");

    public static PostgresBinaries Find(string? configuredBinDir)
    {
        if (!string.IsNullOrWhiteSpace(configuredBinDir))
        {
            return HasServer(configuredBinDir)
                ? Load(configuredBinDir)
                : throw new InfraSetupException(
                    $"{InfraSettings.PostgresBinDir}={configuredBinDir} holds no PostgreSQL server (postgres and initdb). " +
                    $"Install it with `sudo apt-get install postgresql`, then point {InfraSettings.PostgresBinDir} at its bin " +
                    $"folder (e.g. {DebianRoot}/15/bin) or leave the setting out to use the newest {DebianRoot}/*/bin.");
        }

        var newest = Directory.Exists(DebianRoot)
            ? Directory.GetDirectories(DebianRoot)
                .Select(dir => (Dir: Path.Combine(dir, "bin"), Version: ParseVersion(Path.GetFileName(dir))))
                .Where(c => c.Version is not null && HasServer(c.Dir))
                .OrderByDescending(c => c.Version)
                .Select(c => c.Dir)
                .FirstOrDefault()
            : null;
        if (newest is not null)
        {
            return Load(newest);
        }

        var onPath = CommandLine.FindOnPath("postgres");
        if (onPath is not null && HasServer(Path.GetDirectoryName(onPath)!))
        {
            return Load(Path.GetDirectoryName(onPath)!);
        }

        throw new InfraSetupException(
            $"PostgreSQL server not found (looked in {DebianRoot}/*/bin and on PATH). Install it with " +
            $"`sudo apt-get install postgresql`, or set {InfraSettings.PostgresBinDir} to the folder holding postgres and initdb, " +
            $"or use an existing server: {InfraSettings.Mode}=external with ConnectionStrings__edisondb and ConnectionStrings__redis.");
    }

    private static bool HasServer(string dir) =>
        File.Exists(Path.Combine(dir, "postgres")) && File.Exists(Path.Combine(dir, "initdb"));

    private static Version? ParseVersion(string text) =>
        Version.TryParse(text.Contains('.', StringComparison.Ordinal) ? text : text + ".0", out var version) ? version : null;

    private static PostgresBinaries Load(string binDir)
    {
        var full = Path.GetFullPath(binDir);
        var result = CommandLine.Run(Path.Combine(full, "postgres"), ["--version"], TimeSpan.FromSeconds(10));
        var match = result is { Succeeded: true } ? VersionPattern().Match(result.Output) : Match.Empty;
        return match.Success
            ? new PostgresBinaries(full, int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture))
            : throw new InfraSetupException(
                $"{Path.Combine(full, "postgres")} --version failed ({result?.Output ?? "no answer"}). Reinstall it with " +
                $"`sudo apt-get install --reinstall postgresql` or set {InfraSettings.PostgresBinDir} to another installation.");
    }

    [GeneratedRegex(@"\(PostgreSQL\) (\d+)")]
    private static partial Regex VersionPattern();
}

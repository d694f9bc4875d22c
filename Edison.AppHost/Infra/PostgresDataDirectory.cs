using System.Diagnostics;
using System.Globalization;

namespace Edison.AppHost.Infra;

/// The local cluster's folder in the user's data folder, so the data survives restarts; initialised once.
internal static class PostgresDataDirectory
{
    public static string Locate(PostgresAccount account)
    {
        var dataHome = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        if (string.IsNullOrEmpty(dataHome))
        {
            throw new InfraSetupException("No user data folder (HOME/XDG_DATA_HOME unset): cannot place the local PostgreSQL data.");
        }

        var preferred = Path.Combine(dataHome, "edison", "postgres");
        if (!account.SwitchUser)
        {
            return preferred;
        }

        if (PostgresAccount.HomeDirectory() is not { } postgresHome)
        {
            throw new InfraSetupException(
                $"Running as root needs the {PostgresAccount.UserName} account to run PostgreSQL; " +
                "it comes with `sudo apt-get install postgresql`.");
        }

        // root's data folder sits under /root (mode 700), which the postgres account cannot enter; then the data
        // goes to that account's own home instead.
        return account.CanEnter(dataHome) ? preferred : Path.Combine(postgresHome, "edison", "postgres");
    }

    /// A server left over from an earlier run (the AppHost was killed) still holds the folder and the port.
    public static void ThrowIfServerRunning(string dataDir, PostgresBinaries binaries, PostgresAccount account)
    {
        var pidFile = Path.Combine(dataDir, "postmaster.pid");
        if (!File.Exists(pidFile)
            || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
            || !IsAlive(pid))
        {
            return;
        }

        var (program, arguments) = account.Wrap(binaries.PgCtl, "-D", dataDir, "stop", "-m", "fast");
        throw new InfraSetupException(
            $"A PostgreSQL server from an earlier run (pid {pid}) still uses {dataDir}. " +
            $"Stop it with `{program} {string.Join(' ', arguments)}` and start again.");
    }

    public static void EnsureInitialized(string dataDir, PostgresBinaries binaries, PostgresAccount account)
    {
        var versionFile = Path.Combine(dataDir, "PG_VERSION");
        if (File.Exists(versionFile))
        {
            var existing = File.ReadAllText(versionFile).Trim();
            if (existing != binaries.MajorVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw new InfraSetupException(
                    $"{dataDir} holds a PostgreSQL {existing} cluster but the server found is PostgreSQL {binaries.MajorVersion} " +
                    $"({binaries.BinDir}). Set {InfraSettings.PostgresBinDir}=/usr/lib/postgresql/{existing}/bin, " +
                    $"or move {dataDir} away to start with an empty database.");
            }

            return;
        }

        Create(dataDir, account);
        if (Directory.EnumerateFileSystemEntries(dataDir).Any())
        {
            throw new InfraSetupException($"{dataDir} is not empty and holds no PostgreSQL cluster (no PG_VERSION). Move it away and start again.");
        }

        var result = account.Run(TimeSpan.FromMinutes(2), binaries.InitDb,
            "-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-instructions");
        if (result is not { Succeeded: true })
        {
            throw new InfraSetupException($"initdb failed for {dataDir}: {result?.Output ?? "no answer within 2 minutes"}");
        }
    }

    private static void Create(string dataDir, PostgresAccount account)
    {
        try
        {
            Directory.CreateDirectory(dataDir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InfraSetupException($"Cannot create the PostgreSQL data folder {dataDir}: {ex.Message}", ex);
        }

        account.TakeOwnership(dataDir);
        if (!account.CanWrite(dataDir))
        {
            throw new InfraSetupException(
                $"The {(account.SwitchUser ? PostgresAccount.UserName + " account" : "current user")} cannot write to {dataDir}. " +
                "Fix its owner or permissions and start again.");
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

namespace Edison.AppHost.Infra;

/// postgres and initdb refuse to run as root, so a root AppHost runs them as the `postgres` account (created by
/// Debian's postgresql package) through `runuser`; anyone else runs them as themselves.
internal sealed class PostgresAccount
{
    public const string UserName = "postgres";

    private PostgresAccount(bool switchUser) => SwitchUser = switchUser;

    public bool SwitchUser { get; }

    public static PostgresAccount ForCurrentProcess() => new(Environment.IsPrivilegedProcess);

    /// The program and arguments that run <paramref name="program"/> under this account.
    public (string Program, string[] Arguments) Wrap(string program, params string[] arguments) =>
        SwitchUser ? ("runuser", ["-u", UserName, "--", program, .. arguments]) : (program, arguments);

    public CommandResult? Run(TimeSpan timeout, string program, params string[] arguments)
    {
        var (file, args) = Wrap(program, arguments);
        return CommandLine.Run(file, args, timeout);
    }

    /// Whether the account can enter <paramref name="directory"/> (every ancestor must let it through).
    public bool CanEnter(string directory) => Run(TimeSpan.FromSeconds(10), "test", "-x", directory) is { Succeeded: true };

    /// Whether the account can create files in <paramref name="directory"/>.
    public bool CanWrite(string directory) =>
        CanEnter(directory) && Run(TimeSpan.FromSeconds(10), "test", "-w", directory) is { Succeeded: true };

    /// The account's home folder (Debian: /var/lib/postgresql), which it always owns.
    public static string? HomeDirectory() =>
        File.Exists("/etc/passwd")
            ? File.ReadLines("/etc/passwd")
                .Select(line => line.Split(':'))
                .Where(fields => fields.Length > 5 && fields[0] == UserName)
                .Select(fields => fields[5])
                .FirstOrDefault()
            : null;

    public void TakeOwnership(string directory)
    {
        if (SwitchUser && CommandLine.Run("chown", [$"{UserName}:", directory], TimeSpan.FromSeconds(10)) is not { Succeeded: true })
        {
            throw new InfraSetupException($"Could not hand {directory} to the {UserName} account (chown failed).");
        }
    }
}

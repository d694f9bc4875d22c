namespace Edison.AppHost.Infra;

/// How a short command ended: its exit code and its output (stdout then stderr).
internal sealed record CommandResult(int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;
}

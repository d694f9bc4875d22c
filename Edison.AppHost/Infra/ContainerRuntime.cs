namespace Edison.AppHost.Infra;

/// Whether a container engine really answers: the docker CLI alone is not enough, and Aspire's containers hang
/// silently (RuntimeUnhealthy, dependents Waiting forever) when the engine is down.
internal static class ContainerRuntime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static bool Answers() => Answers("docker") || Answers("podman");

    private static bool Answers(string cli) =>
        CommandLine.FindOnPath(cli) is not null && CommandLine.Run(cli, ["info"], Timeout) is { Succeeded: true };
}
